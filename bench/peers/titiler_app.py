"""TiTiler peer of the benchmark: titiler.core's TilerFactory under /cog.

    uvicorn --app-dir bench/peers titiler_app:app --workers 2
    GET /cog/tiles/WebMercatorQuad/{z}/{x}/{y}.png?url=DATA_DIR/bdortho/bdortho.vrt
"""
from fastapi import FastAPI
from titiler.core.errors import DEFAULT_STATUS_CODES, add_exception_handlers
from titiler.core.factory import TilerFactory

app = FastAPI(title="tuile benchmark peer (TiTiler)")
cog = TilerFactory(router_prefix="/cog")
app.include_router(cog.router, prefix="/cog", tags=["Cloud Optimized GeoTIFF"])
add_exception_handlers(app, DEFAULT_STATUS_CODES)


@app.get("/health")
def health():
    return {"status": "ok"}
