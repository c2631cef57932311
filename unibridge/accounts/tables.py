"""Users are listed in the admin (``admin.py``, for administrators): the app has no list
page, so no table columns here."""
