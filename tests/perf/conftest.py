"""The batch path's cost savings: what they keep the same (requests, retries, usage) and what they save."""

from tests.support.openai_server import openai_server  # noqa: F401 - re-exported as a fixture
