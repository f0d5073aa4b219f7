"""The portal's date formats (FORMAT_MODULE_PATH): one format, ``YYYY-MM-DD``, in every language (issue 14 #2),
so a date the templates print without a filter reads like the ones printed with ``|day``."""
