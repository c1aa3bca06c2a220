//! tuile's core: what the server serves and how it draws it, with no
//! protocol in sight.
//!
//! A [`catalog::Catalog`] is opened from the configuration: [`layer::Layer`]s,
//! each a [`source`] (a GDAL raster such as a COG or a VRT, a mosaic of
//! thousands of them behind a tile index, or a FlatGeobuf file) with its
//! [`style`]s, the CRSs and tile matrix sets it is offered in,
//! and its editions ([`time`]). From there the core answers what every
//! protocol asks:
//!
//! - draw this box at this size: [`render`];
//! - give me this tile: [`tiles`] (metatiles, a memory cache capped in bytes
//!   with single flight, a disk store, seeding);
//! - what is at this pixel: [`identify`];
//! - which features match, a page at a time: [`query`] (bbox, time, CQL2);
//! - what does this style look like: [`legend`];
//! - what is there to find, and what is it: [`records`] (catalogue records
//!   derived from the layers, and their search);
//! - who may see which layer: [`access`].
//!
//! CPU and GDAL work runs on a bounded [`pool`] of threads that keep their
//! datasets open; failures are [`error::Error`]s whose kind (not found, bad
//! request, unavailable, timeout, internal) is all a protocol needs to
//! choose its answer.
//!
//! The choice that shapes the crate: it never names a protocol, the HTTP
//! server or the command line, and depends on none of them (no actix, no
//! clap, no metrics exporter). Protocol adapters live in the `tuile` crate
//! and turn requests into core calls; the core cannot reach back.

pub mod access;
pub mod catalog;
pub mod config;
pub mod error;
pub mod feature;
pub mod geojson;
pub mod grid;
pub mod identify;
pub mod layer;
pub mod legend;
pub mod metadata;
pub mod metrics;
pub mod pool;
pub mod query;
pub mod records;
pub mod render;
pub mod source;
pub mod style;
pub mod tiles;
pub mod time;
pub mod upstream;
pub mod xml;
