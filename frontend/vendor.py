"""Copy the pinned front-end libraries from node_modules into libranet/static/vendor.

`make vendor` runs `npm ci` (package-lock.json pins every version) and then this script. The
copies are committed, so `make run` needs neither npm nor the internet; each library's licence
travels with it.
"""

import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
VENDOR = HERE.parent / "libranet" / "static" / "vendor"

# package -> files or folders inside it (relative to the package's root).
FILES: dict[str, list[str]] = {
    # The opening plan's PDF (fpdf2) embeds a TTF with Cyrillic: DejaVu Sans (Bitstream Vera
    # licence), read by libranet.planning.exports from this folder.
    "dejavu-fonts-ttf": ["ttf/DejaVuSans.ttf", "ttf/DejaVuSans-Bold.ttf", "LICENSE"],
    "leaflet.markercluster": [
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
        "MIT-LICENCE.txt",
    ],
    "openseadragon": [
        "build/openseadragon/openseadragon.min.js",
        "build/openseadragon/images",
        "LICENSE.txt",
    ],
    "pdfjs-dist": ["build/pdf.min.mjs", "build/pdf.worker.min.mjs", "LICENSE"],
    "tom-select": [
        "dist/js/tom-select.complete.min.js",
        "dist/css/tom-select.default.min.css",
        "LICENSE",
    ],
    "topojson-client": ["dist/topojson-client.min.js", "LICENSE"],
    "world-atlas": ["countries-50m.json", "LICENSE"],
}


# The packages' source maps are not copied: a comment naming one makes collectstatic's
# manifest storage fail on the missing file, so the comment goes too.
SOURCE_MAP = re.compile(r"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$")


def _drop_source_map(path: Path) -> None:
    if path.suffix in (".js", ".mjs", ".css"):
        text = path.read_text(encoding="utf-8")
        path.write_text(SOURCE_MAP.sub("\n", text), encoding="utf-8")


def main() -> int:
    if not MODULES.is_dir():
        print("frontend/node_modules is missing: run `npm ci` in frontend/ first.", file=sys.stderr)
        return 1
    shutil.rmtree(VENDOR, ignore_errors=True)
    for package, paths in FILES.items():
        for relative in paths:
            source = MODULES / package / relative
            target = VENDOR / package / Path(relative).name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)
                _drop_source_map(target)
    print(f"Copied {len(FILES)} libraries into {VENDOR.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
