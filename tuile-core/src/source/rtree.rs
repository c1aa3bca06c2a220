//! FlatGeobuf's packed Hilbert R-tree, searched where it lies: in the file
//! mapped into memory (local files), so the kernel pages it in as queries
//! touch it instead of the allocator holding all of it from start-up; or in
//! a buffer read once (remote files, which cannot be mapped).
//!
//! The tree is stored level by level from the root; each node is 40 bytes,
//! its box (four f64) then a u64: the first child's node number, or for a
//! leaf the feature's byte offset in the feature section.

use std::fs::File;
use std::ops::Range;

use crate::grid::BBox;

const NODE: usize = 40;

/// Where the tree's bytes are.
enum Bytes {
    Mapped(memmap2::Mmap, Range<usize>),
    Loaded(Vec<u8>),
}

impl Bytes {
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m, r) => &m[r.clone()],
            Bytes::Loaded(v) => v,
        }
    }
}

pub struct PackedIndex {
    bytes: Bytes,
    count: usize,
    node_size: usize,
    /// Node ranges of each level, root first.
    levels: Vec<Range<usize>>,
}

/// How many bytes the tree of `count` features takes.
pub fn index_size(count: usize, node_size: usize) -> usize {
    level_counts(count, node_size).iter().sum::<usize>() * NODE
}

/// Nodes per level, leaves first. There is always a root above the leaves,
/// even over a single feature (the writers' `do … while n != 1`).
fn level_counts(count: usize, node_size: usize) -> Vec<usize> {
    let node_size = node_size.max(2);
    let mut counts = vec![count];
    let mut n = count;
    loop {
        n = n.div_ceil(node_size);
        counts.push(n);
        if n <= 1 {
            return counts;
        }
    }
}

impl PackedIndex {
    /// The tree at `offset` in a local file, mapped.
    pub fn map(file: &File, offset: u64, count: usize, node_size: usize) -> Result<PackedIndex, String> {
        let size = index_size(count, node_size);
        // SAFETY: the map is read-only; a file truncated or rewritten while
        // mapped is what the source version check (size and time) catches
        // before a new map is made, as it does for every source.
        let map = unsafe { memmap2::Mmap::map(file) }.map_err(|e| format!("cannot map the spatial index: {e}"))?;
        let start = offset as usize;
        if map.len() < start + size {
            return Err("truncated spatial index".into());
        }
        Ok(PackedIndex::over(
            Bytes::Mapped(map, start..start + size),
            count,
            node_size,
        ))
    }

    /// The tree in a buffer (read from a remote file).
    pub fn loaded(bytes: Vec<u8>, count: usize, node_size: usize) -> Result<PackedIndex, String> {
        if bytes.len() != index_size(count, node_size) {
            return Err("truncated spatial index".into());
        }
        Ok(PackedIndex::over(Bytes::Loaded(bytes), count, node_size))
    }

    fn over(bytes: Bytes, count: usize, node_size: usize) -> PackedIndex {
        let counts = level_counts(count, node_size);
        let mut levels = Vec::with_capacity(counts.len());
        let mut start = 0;
        for c in counts.iter().rev() {
            levels.push(start..start + c);
            start += c;
        }
        PackedIndex {
            bytes,
            count,
            node_size: node_size.max(2),
            levels,
        }
    }

    fn node(&self, i: usize) -> ([f64; 4], u64) {
        let b = &self.bytes.get()[i * NODE..(i + 1) * NODE];
        let f = |k: usize| f64::from_le_bytes(b[k * 8..k * 8 + 8].try_into().expect("8 bytes"));
        (
            [f(0), f(1), f(2), f(3)],
            u64::from_le_bytes(b[32..40].try_into().expect("8 bytes")),
        )
    }

    fn leaves(&self) -> &Range<usize> {
        self.levels.last().expect("a tree has a level")
    }

    /// The box of all features: the root's.
    pub fn extent(&self) -> BBox {
        let ([a, b, c, d], _) = self.node(0);
        BBox::new(a, b, c, d)
    }

    /// The byte offset (in the feature section) of feature number `n`.
    pub fn feature_offset(&self, n: u64) -> Option<u64> {
        let n = usize::try_from(n).ok().filter(|n| *n < self.count)?;
        Some(self.node(self.leaves().start + n).1)
    }

    /// The (number, offset) of every feature whose box intersects `bbox`,
    /// in file order.
    pub fn search(&self, bbox: &BBox) -> Vec<(u64, u64)> {
        let hit = |b: [f64; 4]| !(b[2] < bbox.minx || b[0] > bbox.maxx || b[3] < bbox.miny || b[1] > bbox.maxy);
        let leaves = self.leaves().clone();
        let mut out = Vec::new();
        // (node range, level): siblings are visited together.
        let mut stack = vec![(0..1usize, 0usize)];
        while let Some((range, level)) = stack.pop() {
            for i in range {
                let (b, pointer) = self.node(i);
                if !hit(b) {
                    continue;
                }
                if level + 1 == self.levels.len() {
                    out.push(((i - leaves.start) as u64, pointer));
                } else {
                    let first = pointer as usize;
                    let next = &self.levels[level + 1];
                    let end = (first + self.node_size).min(next.end);
                    if first >= next.start && first < end {
                        stack.push((first..end, level + 1));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Checks the structure (each parent points at its first child, finite
    /// boxes that hold their children, leaves in file order), so that a
    /// corrupt index is reported at open. With `sample`, only the upper
    /// levels and the first leaves are read: a large tree is not paged in
    /// whole at start-up.
    pub fn check(&self, sample: bool) -> Result<(), String> {
        const SAMPLED: usize = 65_536;
        for level in 0..self.levels.len().saturating_sub(1) {
            let (parents, children) = (&self.levels[level], &self.levels[level + 1]);
            if sample && children.len() > SAMPLED && level + 2 == self.levels.len() {
                // The leaves' parents are checked up to the sample.
                self.check_level(
                    parents.start..(parents.start + SAMPLED / self.node_size).min(parents.end),
                    children,
                )?;
                continue;
            }
            self.check_level(parents.clone(), children)?;
        }
        let leaves = self.leaves();
        let last = if sample {
            (leaves.start + SAMPLED).min(leaves.end)
        } else {
            leaves.end
        };
        let mut previous = None;
        for i in leaves.start..last {
            let (_, offset) = self.node(i);
            if previous.is_some_and(|p| p >= offset) {
                return Err("the spatial index does not list the features in file order".into());
            }
            previous = Some(offset);
        }
        Ok(())
    }

    fn check_level(&self, parents: Range<usize>, children: &Range<usize>) -> Result<(), String> {
        let level_start = self.levels.iter().position(|l| l.start == children.start).unwrap_or(0);
        for p in parents.clone() {
            let (b, first) = self.node(p);
            let expected = children.start + (p - self.levels[level_start - 1].start) * self.node_size;
            if first != expected as u64 || !b.iter().all(|v| v.is_finite()) || b[0] > b[2] || b[1] > b[3] {
                return Err(format!("node {p} is corrupt"));
            }
            let tol = 1e-6 * (1.0 + b[2].abs().max(b[3].abs()));
            for c in expected..(expected + self.node_size).min(children.end) {
                let (cb, _) = self.node(c);
                let inside = cb[0] >= b[0] - tol && cb[1] >= b[1] - tol && cb[2] <= b[2] + tol && cb[3] <= b[3] + tol;
                if !inside {
                    return Err(format!("node {c} lies outside its parent's box"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree over `boxes`, built as FlatGeobuf writers build it.
    fn tree(boxes: &[[f64; 4]], node_size: usize) -> PackedIndex {
        let counts = level_counts(boxes.len(), node_size);
        let total: usize = counts.iter().sum();
        let mut nodes = vec![([0f64; 4], 0u64); total];
        let mut starts = Vec::new();
        let mut end = total;
        for c in &counts {
            end -= c;
            starts.push(end);
        }
        for (i, b) in boxes.iter().enumerate() {
            nodes[starts[0] + i] = (*b, i as u64 * 100);
        }
        for level in 1..counts.len() {
            for p in 0..counts[level] {
                let first = starts[level - 1] + p * node_size;
                let last = (first + node_size).min(starts[level - 1] + counts[level - 1]);
                let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                for (cb, _) in &nodes[first..last] {
                    b = [b[0].min(cb[0]), b[1].min(cb[1]), b[2].max(cb[2]), b[3].max(cb[3])];
                }
                nodes[starts[level] + p] = (b, first as u64);
            }
        }
        let mut bytes = Vec::with_capacity(total * NODE);
        for (b, o) in nodes {
            for v in b {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            bytes.extend_from_slice(&o.to_le_bytes());
        }
        PackedIndex::loaded(bytes, boxes.len(), node_size).unwrap()
    }

    #[test]
    fn finds_every_box_that_touches_the_query_and_only_those() {
        let boxes: Vec<[f64; 4]> = (0..1000)
            .map(|i| {
                let (x, y) = ((i % 40) as f64, (i / 40) as f64);
                [x, y, x + 0.5, y + 0.5]
            })
            .collect();
        let t = tree(&boxes, 16);
        t.check(false).unwrap();
        t.check(true).unwrap();
        let q = BBox::new(3.2, 4.7, 7.1, 6.0);
        let expected: Vec<(u64, u64)> = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| !(b[2] < q.minx || b[0] > q.maxx || b[3] < q.miny || b[1] > q.maxy))
            .map(|(i, _)| (i as u64, i as u64 * 100))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(t.search(&q), expected);
        assert_eq!(t.feature_offset(999), Some(99_900));
        assert_eq!(t.feature_offset(1000), None);
        assert_eq!(t.extent(), BBox::new(0.0, 0.0, 39.5, 24.5));
    }

    #[test]
    fn a_single_feature_has_a_root_above_its_leaf() {
        assert_eq!(index_size(1, 16), 2 * NODE);
        let t = tree(&[[1.0, 2.0, 3.0, 4.0]], 16);
        t.check(false).unwrap();
        assert_eq!(t.search(&BBox::new(0.0, 0.0, 5.0, 5.0)), vec![(0, 0)]);
        assert_eq!(t.feature_offset(0), Some(0));
    }
}
