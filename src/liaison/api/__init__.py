"""HTTP plumbing shared by the API and the web: dependencies, problems, limits."""
