"""The bank's own date and number formats, per language (settings FORMAT_MODULE_PATH).

Django's Chinese formats group digits by four with no separator (24080000.00), and its English
short dates are American (11/30/2026). Banking screens in China group by thousands with commas
in both languages (24,080,000.00) and write dates in full: 2026年11月30日 14:05 / 30 Nov 2026 14:05.
Only the names defined here differ from Django's own.
"""
