"""Loads a cascading tuile's layers in QGIS itself through its WMS/WMTS
provider (Debian's python3-qgis, run by /usr/bin/python3) and says, as JSON
on the last line, whether each is valid and how many colours a 256x256
rendering of a box has.

    /usr/bin/python3 qgis_cascade.py BASE_URL LAYER minx,miny,maxx,maxy
"""
import json
import sys

from qgis.core import QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsRasterLayer, QgsRectangle
from qgis.PyQt.QtCore import QSize

app = QgsApplication([], False)
app.initQgis()
base, layer_name, box = sys.argv[1:4]
caps = f"{base}/wmts?SERVICE%3DWMTS%26REQUEST%3DGetCapabilities"
out = []
for kind, uri in [
    ("WMS", f"crs=EPSG:2154&format=image/png&layers={layer_name}&styles=&url={base}/wms"),
    ("WMTS", f"crs=EPSG:2154&format=image/png&layers={layer_name}&styles=default&tileMatrixSet=LAMB93&url={caps}"),
]:
    layer = QgsRasterLayer(uri, f"{kind} {layer_name}", "wms")
    r = {"kind": kind, "valid": layer.isValid(), "crs": layer.crs().authid()}
    if layer.isValid():
        settings = QgsMapSettings()
        settings.setLayers([layer])
        settings.setDestinationCrs(layer.crs())
        settings.setExtent(QgsRectangle(*map(float, box.split(","))))
        settings.setOutputSize(QSize(256, 256))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        r["colours"] = len({image.pixel(x, y) for x in range(256) for y in range(256)})
    out.append(r)
print(json.dumps(out))
