#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_hub.settings")
    # manage.py is the developer's tool: with nothing configured it runs as a development
    # checkout (DEBUG on, so no SECRET_KEY is needed for makemigrations, shell, tests of
    # commands...). Production serves through gunicorn and Celery, which read the environment
    # as it is, and docker-compose sets DEBUG explicitly for its manage.py calls.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
