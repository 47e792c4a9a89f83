#!/usr/bin/env python
"""Django's manage.py; `oncopro` is the same thing with a friendlier help."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncopro.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
