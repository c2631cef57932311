"""record_url gives what reverse() gives, for every id and script prefix."""

import uuid

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from unibridge.core.links import record_url


@pytest.mark.parametrize("public_id", [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)])
def test_the_address_is_reverses(public_id):
    assert record_url("core:job_detail", public_id) == reverse("core:job_detail", args=[public_id])
    assert record_url("core:job_detail", str(public_id)) == reverse(
        "core:job_detail", args=[public_id]
    )


def test_the_address_follows_the_script_prefix():
    public_id = uuid.uuid4()
    set_script_prefix("/unibridge/")
    try:
        assert record_url("core:job_detail", public_id) == f"/unibridge/jobs/{public_id}/"
        assert record_url("core:job_detail", public_id) == reverse(
            "core:job_detail", args=[public_id]
        )
    finally:
        clear_script_prefix()
    assert record_url("core:job_detail", public_id) == f"/jobs/{public_id}/"


def test_an_id_that_is_no_uuid_is_refused():
    with pytest.raises(ValueError):
        record_url("core:job_detail", "../admin/")
