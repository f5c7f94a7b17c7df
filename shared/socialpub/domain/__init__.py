"""Pure rules and models. Nothing here imports boto3, FastAPI, Mangum or Powertools (tests/infra enforces it)."""
