//! tuile: an OGC geoservice server (WMS, WMTS, OGC API – Features) over
//! Cloud-Optimized GeoTIFF and FlatGeobuf sources.
//!
//! One core (catalog → sources → renderer) and thin protocol adapters.

pub mod access;
pub mod admin;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod feature;
#[doc(hidden)]
pub mod fuzzing;
pub mod geojson;
pub mod grid;
pub mod http;
pub mod identify;
pub mod layer;
pub mod legend;
pub mod metadata;
pub mod metrics;
pub mod middleware;
pub mod observe;
pub mod ops;
pub mod ogcapi;
pub mod ows;
pub mod pool;
pub mod query;
pub mod render;
pub mod serve;
pub mod state;
pub mod source;
pub mod style;
pub mod tiles;
pub mod time;
pub mod viewer;
pub mod wms;
pub mod wmts;
pub mod xml;
