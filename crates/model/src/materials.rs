//! Reading a run's materials without holding them all: the outputs take them one at a time,
//! so that a run over a large drive can keep them on disk instead of in memory.

use crate::{Index, Material, RulesInfo, ThemeInfo};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::borrow::Cow;
use std::io;

/// A run's materials in path order, wherever they are kept.
pub trait Materials: Sync {
    /// How many there are.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with each material in path order, until it fails.
    fn each(&self, f: &mut dyn FnMut(&Material) -> io::Result<()>) -> io::Result<()>;

    /// [`Materials::each`] for a reader that needs no evidence: a source may leave the
    /// themes' terms and snippets and the answer hints empty, when that reads faster.
    fn each_without_evidence(
        &self,
        f: &mut dyn FnMut(&Material) -> io::Result<()>,
    ) -> io::Result<()> {
        self.each(f)
    }

    /// The material at position `i` in path order.
    fn get(&self, i: usize) -> io::Result<Cow<'_, Material>>;
}

impl Materials for [Material] {
    fn len(&self) -> usize {
        <[Material]>::len(self)
    }

    fn each(&self, f: &mut dyn FnMut(&Material) -> io::Result<()>) -> io::Result<()> {
        self.iter().try_for_each(f)
    }

    fn get(&self, i: usize) -> io::Result<Cow<'_, Material>> {
        <[Material]>::get(self, i)
            .map(Cow::Borrowed)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("no material at position {i}"),
                )
            })
    }
}

impl Materials for Vec<Material> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn each(&self, f: &mut dyn FnMut(&Material) -> io::Result<()>) -> io::Result<()> {
        self.as_slice().each(f)
    }

    fn get(&self, i: usize) -> io::Result<Cow<'_, Material>> {
        Materials::get(self.as_slice(), i)
    }
}

/// What the outputs are made from: a run's materials and what is known of the run.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// When the run finished, RFC 3339 UTC.
    pub generated: &'a str,
    pub drive: &'a str,
    pub rules: &'a RulesInfo,
    /// The theme catalogue of the rules in force, in their order.
    pub themes: &'a [ThemeInfo],
    pub materials: &'a dyn Materials,
}

impl Index {
    /// The index as the outputs read it.
    pub fn view(&self) -> View<'_> {
        View {
            generated: &self.generated,
            drive: &self.drive,
            rules: &self.rules,
            themes: &self.themes,
            materials: &self.documents,
        }
    }
}

/// Why a visit of the materials stopped before the end.
#[derive(Debug)]
pub enum Stopped<E> {
    /// Reading the materials failed.
    Read(io::Error),
    /// The visitor failed.
    By(E),
}

/// [`Materials::each`] for a visitor that fails in its own way: its error comes back whole.
pub fn visit<E>(
    materials: &dyn Materials,
    f: impl FnMut(&Material) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    visit_with(materials, true, f)
}

/// [`visit`] by [`Materials::each_without_evidence`].
pub fn visit_without_evidence<E>(
    materials: &dyn Materials,
    f: impl FnMut(&Material) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    visit_with(materials, false, f)
}

fn visit_with<E>(
    materials: &dyn Materials,
    evidence: bool,
    mut f: impl FnMut(&Material) -> Result<(), E>,
) -> Result<(), Stopped<E>> {
    let mut failed = None;
    let mut stop = |m: &Material| {
        f(m).map_err(|e| {
            failed = Some(e);
            io::Error::other("stopped by the visitor")
        })
    };
    let read = if evidence {
        materials.each(&mut stop)
    } else {
        materials.each_without_evidence(&mut stop)
    };
    match (failed, read) {
        (Some(e), _) => Err(Stopped::By(e)),
        (None, Err(e)) => Err(Stopped::Read(e)),
        (None, Ok(())) => Ok(()),
    }
}

/// Serialises materials as the JSON array a `Vec<Material>` would be, one at a time.
pub struct MaterialsSeq<'a>(pub &'a dyn Materials);

impl Serialize for MaterialsSeq<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        match visit(self.0, |m| seq.serialize_element(m)) {
            Ok(()) => seq.end(),
            Err(Stopped::By(e)) => Err(e),
            Err(Stopped::Read(e)) => Err(serde::ser::Error::custom(e)),
        }
    }
}
