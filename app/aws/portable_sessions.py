"""Session factories that can go to another process (the GUI's scan child).

A scan child gets its credentials as a picklable session factory: the sign-in
panel's `functools.partial(session_for_profile, name)` goes as it is (the child then
follows the profile itself, refreshing SSO or `aws login` credentials as botocore
does), and anything else is resolved here first into `KeySessions`, the temporary
keys themselves, which travel only through the pipe that starts the child.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import boto3

from app.aws.clients import SessionFactory
from app.aws.login import resolve_credentials


@dataclass(frozen=True)
class KeySessions:
    """Sessions on resolved keys: what a child gets when the factory cannot travel."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str | None = None

    def __call__(self) -> boto3.Session:
        return boto3.session.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=self.region,
        )


def portable(factory: SessionFactory) -> SessionFactory:
    """`factory` itself when it pickles, else `KeySessions` on the credentials it resolves
    now (a `SignInError` when it cannot: expired, missing...)."""
    try:
        pickle.dumps(factory)
    except Exception:  # a lambda, a bound method of something unpicklable...
        pass
    else:
        return factory
    session = factory()
    resolve_credentials(session)
    credentials = session.get_credentials()
    assert credentials is not None  # resolve_credentials raised otherwise
    frozen = credentials.get_frozen_credentials()
    return KeySessions(
        str(frozen.access_key), str(frozen.secret_key), frozen.token, session.region_name
    )
