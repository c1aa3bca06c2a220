"""Box transforms for the client tests, through gdaltransform (no Python GDAL needed)."""
import subprocess


def to_crs(box, srs):
    """A Lambert-93 box (x0, y0, x1, y1) as the enclosing box in `srs`, x/y order."""
    if srs == "EPSG:2154":
        return box
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
    text = "\n".join(f"{x} {y}" for x, y in corners)
    target = "OGC:CRS84" if srs == "EPSG:4326" else srs
    out = subprocess.run(["gdaltransform", "-s_srs", "EPSG:2154", "-t_srs", target, "-output_xy"],
                         input=text, capture_output=True, text=True, check=True).stdout
    pts = [tuple(map(float, line.split()[:2])) for line in out.strip().splitlines()]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))
