"""Kontakt's own format overrides (FORMAT_MODULE_PATH); only English needs one."""
