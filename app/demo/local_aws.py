"""boto3 sessions for the demo's local fake AWS, sealed off from the user's AWS set-up.

The keys are fake, the endpoint is the local moto server's, and nothing is read from
the user's `~/.aws` files, `AWS_PROFILE` or `AWS_ENDPOINT_URL`: the demo cannot be
steered to a real account by the environment, nor break because of a profile in it.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.session

DEMO_REGION = "us-east-1"

# botocore's session variables as (config key, environment variables, default,
# conversion): with no environment variables and config files that do not exist,
# botocore has nowhere to read the user's settings from.
_SEALED_VARIABLES: dict[str, tuple[Any, Any, Any, Any]] = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


class LocalEndpointSession(boto3.session.Session):
    """A boto3 session whose every client talks to `endpoint` with fake keys."""

    def __init__(self, endpoint: str, region: str = DEMO_REGION) -> None:
        core = botocore.session.Session(session_vars=_SEALED_VARIABLES)
        super().__init__(
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
            region_name=region,
            botocore_session=core,
        )
        self.endpoint = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:
        # An explicit endpoint_url wins over AWS_ENDPOINT_URL and any profile setting.
        kwargs.setdefault("endpoint_url", self.endpoint)
        return super().client(*args, **kwargs)
