"""The only Logger and Metrics instances. Service name and namespace come from POWERTOOLS_* variables.

Tracer is deliberately absent: it imports the X-Ray SDK and costs about 250 ms of cold start
(reference/aws-local-tooling.md 3.4); Lambda's active tracing still records each invocation.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "socialpub")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "socialpub")

logger = Logger()
metrics = Metrics()
