#!/usr/bin/env bash
# Convert an exported workbook headless with LibreOffice to PDF and PNG pages,
# to check that it opens cleanly and to look at it.
#
#   scripts/excel_to_pdf.sh WORKBOOK.xlsx [OUTDIR] [PAGES]
#
# Writes OUTDIR/<name>.pdf (all sheets) and OUTDIR/<name>-<n>.png for the
# first PAGES pages (default 12, 0 = all). Needs libreoffice-calc and
# poppler-utils (Debian: apt-get install -y libreoffice-calc poppler-utils).
# Exit code 1 when LibreOffice cannot convert the workbook or the PDF is empty.
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
workbook=$(realpath "$1")
outdir=$(realpath -m "${2:-$(dirname "$workbook")/$(basename "$workbook" .xlsx)-pdf}")
pages=${3:-12}
for tool in soffice pdftoppm pdfinfo; do
  command -v "$tool" > /dev/null || { echo "$tool fehlt (apt-get install -y libreoffice-calc poppler-utils)" >&2; exit 1; }
done
mkdir -p "$outdir"
name=$(basename "$workbook" .xlsx)
# a private LibreOffice profile: runs next to an open LibreOffice and leaves no trace
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --norestore \
  --convert-to pdf --outdir "$outdir" "$workbook" > "$outdir/soffice.log" 2>&1 || true
pdf="$outdir/$name.pdf"
if [ ! -s "$pdf" ]; then
  echo "LibreOffice konnte $workbook nicht umwandeln:" >&2
  cat "$outdir/soffice.log" >&2
  exit 1
fi
total=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
last=$total
if [ "$pages" -gt 0 ] && [ "$pages" -lt "$total" ]; then last=$pages; fi
pdftoppm -png -r 70 -f 1 -l "$last" "$pdf" "$outdir/$name"
echo "$pdf: $total Seiten; PNG-Seiten 1-$last in $outdir"
