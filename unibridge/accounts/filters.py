"""Users are listed and filtered in the admin (``admin.py``, for administrators): the app has
no list page, so no filter set here."""
