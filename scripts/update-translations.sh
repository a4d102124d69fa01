#!/usr/bin/env bash
# Re-extract the Korean msgids, merge them into every catalogue and compile the .mo files.
# Usage: scripts/update-translations.sh   (then translate any new empty msgstr in the .po files)
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
POT=app/translations/messages.pot
LOCALES="en"

"$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-output \
    --project=CityMatch --copyright-holder=CityMatch -o "$POT" .
for locale in $LOCALES; do
    if [ -f "app/translations/$locale/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" -q update --no-fuzzy-matching --ignore-obsolete -i "$POT" -d app/translations -l "$locale"
    else
        "$PYBABEL" -q init -i "$POT" -d app/translations -l "$locale"
    fi
done
"$PYBABEL" compile --statistics -d app/translations
