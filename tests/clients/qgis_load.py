"""Loads QGIS layer definitions in QGIS itself (Debian's python3-qgis, run by
/usr/bin/python3: the test venv cannot import qgis) and says, as JSON, what
each layer is and what it holds in a box.

    /usr/bin/python3 qgis_load.py FILE.qlr minx,miny,maxx,maxy [FILE.qlr box ...]

The box is in the layer's CRS. For vector layers: the features QGIS fetched
in it; for rasters: how many distinct colours a 256x256 rendering has.
"""
import json
import sys

from qgis.core import (QgsApplication, QgsFeatureRequest, QgsLayerDefinition, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsProject, QgsRectangle)
from qgis.PyQt.QtCore import QSize

app = QgsApplication([], False)
app.initQgis()
out = []
args = sys.argv[1:]
for path, box in zip(args[::2], args[1::2]):
    project = QgsProject.instance()
    project.clear()
    ok, error = QgsLayerDefinition.loadLayerDefinition(path, project, project.layerTreeRoot())
    rect = QgsRectangle(*map(float, box.split(",")))
    for layer in project.mapLayers().values():
        r = {"file": path, "loaded": ok, "error": error, "name": layer.name(), "provider": layer.providerType(),
             "valid": layer.isValid(), "crs": layer.crs().authid()}
        if layer.type() == 0:  # vector
            r["features"] = sum(1 for _ in layer.getFeatures(QgsFeatureRequest().setFilterRect(rect)))
            r["fields"] = [f.name() for f in layer.fields()]
        else:
            settings = QgsMapSettings()
            settings.setLayers([layer])
            settings.setDestinationCrs(layer.crs())
            settings.setExtent(rect)
            settings.setOutputSize(QSize(256, 256))
            job = QgsMapRendererSequentialJob(settings)
            job.start()
            job.waitForFinished()
            img = job.renderedImage()
            r["colours"] = len({img.pixel(x, y) for x in range(0, 256, 4) for y in range(0, 256, 4)})
        out.append(r)
app.exitQgis()
print(json.dumps(out))
