"""The sign-in and password forms are Django's own (``django.contrib.auth.forms``, shown by
``views.py`` in our templates); the users' form is the admin's (``admin.py``)."""
