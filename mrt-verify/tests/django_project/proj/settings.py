# A project whose configured database must never be touched by mrt verify: the test checks that
# this file is never created.
import os

SECRET_KEY = "mrt-test-project"
INSTALLED_APPS = ["shop", "billing"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(os.path.dirname(__file__), "production.sqlite3"),
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
