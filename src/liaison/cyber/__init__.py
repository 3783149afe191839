"""Cyber information sharing: a STIX 2.1 store, a TAXII 2.1 server, federated collections."""
