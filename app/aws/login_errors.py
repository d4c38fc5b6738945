"""Typed sign-in errors: each carries a message a person can act on.

The UI shows `str(error)` inline; the CLI prints it and exits non-zero. None of them
ever holds a secret (keys, tokens, external ids): only names, paths and commands.
"""

from __future__ import annotations

import re

from app.aws.setup_hints import LIST_PROFILES


class SignInError(Exception):
    """Expected trouble while signing in or resolving credentials."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigFileError(SignInError):
    """The AWS config or credentials file cannot be read or parsed."""

    def __init__(self, path: str, problem: str) -> None:
        # configparser's text spans lines and repeats the path: one line, path once.
        problem = re.sub(r"\bfile: *, *", "", problem.replace(f"'{path}'", ""))
        problem = " ".join(problem.split())
        super().__init__(f"The AWS config file {path} could not be read: {problem}")
        self.path = path
        self.problem = problem


class ProfileConfigError(SignInError):
    """A profile is configured in a way botocore cannot use (missing key, chain loop...)."""

    def __init__(self, profile: str, problem: str) -> None:
        super().__init__(f'Profile "{profile}" cannot be used: {problem}')
        self.profile = profile
        self.problem = problem


class ProfileNotFoundError(SignInError):
    def __init__(self, profile: str) -> None:
        super().__init__(f'There is no AWS profile named "{profile}"; {LIST_PROFILES}.')
        self.profile = profile


class ProfileExistsError(SignInError):
    """Saving a profile under a name that is already taken: we never overwrite one."""

    def __init__(self, profile: str, path: str) -> None:
        super().__init__(
            f'A profile named "{profile}" already exists in {path}; choose another name.'
        )
        self.profile = profile
        self.path = path


class SignInRequired(SignInError):
    """The login behind a profile is missing or expired; `commands` say how to renew it."""

    def __init__(self, profile: str | None, reason: str, commands: tuple[str, ...]) -> None:
        how = " or ".join(f"`{c}`" for c in commands)
        target = f'profile "{profile}"' if profile else "this sign-in"
        message = f"Sign in again: {reason} for {target}."
        if how:
            message += f" Run {how}, then retry."
        super().__init__(message)
        self.profile = profile
        self.reason = reason
        self.commands = commands


class NoCredentialsError(SignInError):
    def __init__(self, profile: str | None) -> None:
        where = f'profile "{profile}"' if profile else "the default credential chain"
        super().__init__(
            f"No AWS credentials were found for {where}. Pick a profile with --profile "
            f"or AWS_PROFILE; {LIST_PROFILES}."
        )
        self.profile = profile


class OfflineError(SignInError):
    """AWS could not be reached (no network, DNS, proxy, endpoint down)."""

    def __init__(self, endpoint: str | None = None, reason: str = "") -> None:
        where = f" ({endpoint})" if endpoint and endpoint not in reason else ""
        why = f": {reason}" if reason else ""
        super().__init__(
            f"AWS could not be reached{where}{why}. Check the network connection and proxy "
            "settings; everything except sign-in and live checks keeps working offline."
        )
        self.endpoint = endpoint
        self.reason = reason

    @classmethod
    def from_exception(cls, exc: BaseException) -> OfflineError:
        """From botocore's transport error (`app.aws.network.TRANSPORT_ERRORS`)."""
        from app.aws.network import describe_network_failure

        endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "") or None
        return cls(endpoint, describe_network_failure(exc))


class AccessDeniedError(SignInError):
    pass


class MissingDependencyError(SignInError):
    pass


class SignInCancelled(SignInError):
    def __init__(self) -> None:
        super().__init__("Sign-in cancelled.")


class AuthorizationExpiredError(SignInError):
    """The device code or browser authorization was not approved in time."""

    def __init__(self) -> None:
        super().__init__(
            "The sign-in request expired before it was approved in the browser. Start again."
        )
