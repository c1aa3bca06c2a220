//! tuile: an OGC geoservice server (WMS 1.3.0/1.1.1, WMTS 1.0.0, OGC API –
//! Features, Tiles, Maps and Records, CSW 2.0.2) over Cloud-Optimized
//! GeoTIFF and FlatGeobuf sources.
//!
//! This crate is the server and its command line: thin protocol adapters
//! over `tuile-core`, which holds the layers, the renderer, the tile cache
//! and the feature queries. A request travels through the shared request
//! handling ([`middleware`]: id, limits, credentials, panics, metrics), then
//! one adapter ([`wms`], [`wmts`], [`csw`], [`ogcapi`], [`viewer`], [`ops`]) that
//! parses it into a core call and writes the core's answer, or its error, in
//! the protocol's own format.
//!
//! The choice that shapes the crate: each protocol registers its own routes
//! and declares, in an [`http::Protocol`], how its requests are labelled and
//! how its errors are written, so that nothing shared names a protocol and a
//! new one (a catalogue, tiles, maps) is one more module and one more line
//! in [`app::PROTOCOLS`].

pub mod admin;
pub mod app;
pub mod catalogue;
pub mod cli;
#[doc(hidden)]
pub mod csw;
pub mod fuzzing;
pub mod html;
pub mod http;
pub mod middleware;
pub mod observe;
pub mod ogcapi;
pub mod ops;
pub mod ows;
pub mod serve;
pub mod state;
pub mod viewer;
pub mod wms;
pub mod wmts;
