#!/usr/bin/env bash
# The one list of CI steps: test, build dist/, check dist/. Both CI front ends run this script,
# so they cannot drift apart: .ci/run (this project's CI) and .github/workflows/editions.yml
# (a journal's GitHub Actions, which then uploads dist/ as an artifact and maybe to Pages).
#
#   bash ci/site.sh              install system packages (as root, with apt-get), then the steps
#   GALLEYS_NO_APT=1 bash ci/site.sh   skip the install: the programs are there already
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. Programs pip cannot install. poppler-utils: pdftotext/pdffonts/pdftoppm; qpdf: PDF
#    structure; libreoffice-writer-nogui: the DOCX opens (libreoffice-math-nogui: with its
#    formulas, which Writer alone leaves blank); default-jre-headless: EPUBCheck;
#    fonts-dejavu-core: the PDF's text face; fonts-noto-core, fonts-wqy-microhei: Arabic, Urdu,
#    Hebrew, Devanagari, CJK … in the PDF; chromium: the landing-page browser tests.
if [[ "${GALLEYS_NO_APT:-0}" != 1 ]] && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    make poppler-utils qpdf libreoffice-writer-nogui libreoffice-math-nogui default-jre-headless \
    fonts-dejavu-core fonts-noto-core fonts-wqy-microhei chromium >/dev/null
fi

# 2. The whole test suite and ruff; a test whose program is missing fails instead of skipping.
export GALLEYS_REQUIRE_EXTERNAL=1
make test

# 3. Build every article in source/ into dist/ (editions, citation files, landing pages).
make dist

# 4. Read every edition back and compare it with the source; validate each format.
.venv/bin/galleys check dist
