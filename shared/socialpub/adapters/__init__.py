"""The only place boto3 and outbound HTTP live. Each adapter turns AWS errors into domain errors."""
