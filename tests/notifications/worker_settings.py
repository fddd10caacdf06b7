"""Settings for processes the tests start (a Celery worker, a scan to kill): the test settings
with a file email sink, and Celery eager only when no REDIS_URL is given."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import REDIS_URL

EMAIL_BACKEND = "tests.notifications.email_backend.FileDropBackend"
EMAIL_FILE_PATH = os.environ["HUB_TEST_MAIL_DIR"]
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
