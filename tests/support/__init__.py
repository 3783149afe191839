"""What every test folder shares: one live-node helper (``nodes``), one in-process node
pair (``pair``), peer pinning, sign-in for browsers and for TestClient, and the fixtures
(``fixtures_*``), registered as pytest plugins by the root conftest."""
