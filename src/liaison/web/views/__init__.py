"""Web views, one small module per page group; mounted by ``liaison.web.setup``."""
