//! The tiles' paths in the OpenAPI document at `/api`.

use serde_json::{Value, json};

use super::TILEJSON_MIME;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::render::ImageFormat;
use tuile_core::tiles::TileFormat;

/// The tiles' paths for the OpenAPI document at `/api`.
pub fn openapi_paths(collection_id: &Value, responses: impl Fn(Value) -> Value) -> Value {
    let path_param = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema});
    let query = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema});
    let sets: Vec<&str> = TileMatrixSet::all().iter().map(|t| t.id).collect();
    let tms = path_param(
        "tileMatrixSetId",
        "A tile matrix set (see /tileMatrixSets).",
        json!({"type": "string", "enum": sets}),
    );
    let matrix = path_param("tileMatrix", "A tile matrix of the set.", json!({"type": "string"}));
    let row = path_param(
        "tileRow",
        "The tile's row, from the top.",
        json!({"type": "integer", "minimum": 0}),
    );
    let col = path_param(
        "tileCol",
        "The tile's column, from the left.",
        json!({"type": "integer", "minimum": 0}),
    );
    let datetime = query(
        "datetime",
        "The edition: a year or an instant in it (the latest by default).",
        json!({"type": "string"}),
    );
    let properties = query(
        "properties",
        "The properties the vector tile keeps (comma-separated; by default those its style reads).",
        json!({"type": "string"}),
    );
    let collections = query(
        "collections",
        "The collections the dataset tile holds (comma-separated; all by default).",
        json!({"type": "string"}),
    );
    let json_only = query(
        "f",
        "The representation: json.",
        json!({"type": "string", "enum": ["json"]}),
    );
    let tileset_f = query(
        "f",
        "The representation: json, or tilejson (WebMercatorQuad only).",
        json!({"type": "string", "enum": ["json", "tilejson"]}),
    );
    let mvt_f = query("f", "The tile format: mvt.", json!({"type": "string", "enum": ["mvt"]}));
    let map_f = query(
        "f",
        "The tile format: png or jpeg.",
        json!({"type": "string", "enum": ["png", "jpeg"]}),
    );
    let doc = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"type": "object"}}}});
    let tileset_doc = json!({"description": "The tileset", "content": {
        "application/json": {"schema": {"type": "object"}},
        TILEJSON_MIME: {"schema": {"type": "object"}},
    }});
    let tile = |mimes: &[&str]| {
        let content: serde_json::Map<String, Value> = mimes
            .iter()
            .map(|m| (m.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
            .collect();
        let mut r = responses(json!({"description": "The tile", "content": content}));
        r["204"] = json!({"description": "No feature in this tile"});
        r
    };
    let op = |summary: &str, id: &str, params: Value, resp: Value| json!({"get": {"summary": summary, "operationId": id, "parameters": params, "responses": resp}});
    let map_mimes: Vec<&str> = ImageFormat::ALL.iter().map(|f| f.mime()).collect();
    json!({
        "/collections/{collectionId}/tiles": op("The vector tilesets of a collection", "getCollectionVectorTileSetsList",
            json!([collection_id, json_only]), responses(doc("The tilesets"))),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}": op("A vector tileset of a collection", "getCollectionVectorTileSet",
            json!([collection_id, tms, tileset_f]), responses(tileset_doc.clone())),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A vector tile of a collection", "getCollectionVectorTile",
            json!([collection_id, tms, matrix, row, col, datetime, properties, mvt_f]), tile(&[TileFormat::MVT_MIME])),
        "/collections/{collectionId}/map/tiles": op("The map tilesets of a collection", "getCollectionMapTileSetsList",
            json!([collection_id, json_only]), responses(doc("The tilesets"))),
        "/collections/{collectionId}/map/tiles/{tileMatrixSetId}": op("A map tileset of a collection", "getCollectionMapTileSet",
            json!([collection_id, tms, json_only]), responses(doc("The tileset"))),
        "/collections/{collectionId}/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A map tile of a collection", "getCollectionMapTile",
            json!([collection_id, tms, matrix, row, col, datetime, map_f]), tile(&map_mimes)),
        "/tiles": op("The vector tilesets of the dataset", "getDatasetVectorTileSetsList", json!([json_only]), responses(doc("The tilesets"))),
        "/tiles/{tileMatrixSetId}": op("A vector tileset of the dataset", "getDatasetVectorTileSet",
            json!([tms, tileset_f]), responses(tileset_doc)),
        "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A vector tile of the dataset", "getDatasetVectorTile",
            json!([tms, matrix, row, col, datetime, collections, mvt_f]), tile(&[TileFormat::MVT_MIME])),
        "/map/tiles": op("The map tilesets of the dataset", "getDatasetMapTileSetsList", json!([json_only]), responses(doc("The tilesets"))),
        "/map/tiles/{tileMatrixSetId}": op("A map tileset of the dataset", "getDatasetMapTileSet",
            json!([tms, json_only]), responses(doc("The tileset"))),
        "/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("A map tile of the dataset", "getDatasetMapTile",
            json!([tms, matrix, row, col, datetime, collections, map_f]), tile(&map_mimes)),
    })
}
