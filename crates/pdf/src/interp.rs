//! The content-stream interpreter: graphics and text state, text-showing operators, form
//! XObjects, marked content (ActualText, optional content) and annotation appearances.
//! It hands every drawn glyph, positioned in page space, to the layout pass.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::budget::{Budget, Stop};
use crate::content::{Lexer, Operand};
use crate::filters::{self, DecodeError};
use crate::font::{Font, FontCache, FontKind};
use crate::layout::{Char, TextPage};
use crate::objects::{as_dict, get, get_array, get_dict, get_int, get_name, matrix, rect, resolve};
use crate::pages::Page;

/// What [`Interp::unread`] holds for compressed data that decompressed to nothing.
pub(crate) const UNDECODABLE: &str = "undecodable";

pub(crate) type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b`: maps through `a` first.
pub(crate) fn concat(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn apply_delta(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y, m[1] * x + m[3] * y)
}

/// Graphics-state stacks deeper than this stop growing (`q` without `Q` in a loop).
const MAX_SAVED_STATES: usize = 256;

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    font_size: f64,
    char_space: f64,
    word_space: f64,
    /// Tz as a fraction.
    horiz_scale: f64,
    leading: f64,
    rise: f64,
}

/// Optional-content configuration: which groups are off by default.
struct OptionalContent {
    base_off: bool,
    on: Vec<ObjectId>,
    off: Vec<ObjectId>,
}

impl OptionalContent {
    fn read(doc: &Document) -> Option<OptionalContent> {
        let catalog = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|r| as_dict(doc, r))?;
        let props = get_dict(doc, catalog, b"OCProperties")?;
        let d = get_dict(doc, props, b"D")?;
        let ids = |key: &[u8]| -> Vec<ObjectId> {
            get_array(doc, d, key)
                .map(|a| a.iter().filter_map(crate::objects::ref_id).collect())
                .unwrap_or_default()
        };
        Some(OptionalContent {
            base_off: get_name(doc, d, b"BaseState") == Some(b"OFF"),
            on: ids(b"ON"),
            off: ids(b"OFF"),
        })
    }

    fn group_visible(&self, id: ObjectId) -> bool {
        if self.base_off {
            self.on.contains(&id)
        } else {
            !self.off.contains(&id)
        }
    }

    /// Visibility of an optional-content group or membership dictionary.
    fn visible(&self, doc: &Document, obj: &Object) -> bool {
        let Some(id) = crate::objects::ref_id(obj) else {
            return true;
        };
        let Some(dict) = as_dict(doc, obj) else {
            return true;
        };
        if get_name(doc, dict, b"Type") != Some(b"OCMD") {
            return self.group_visible(id);
        }
        let groups: Vec<ObjectId> = match dict.get(b"OCGs") {
            Ok(Object::Reference(r)) => match resolve(doc, &Object::Reference(*r)) {
                Object::Array(a) => a.iter().filter_map(crate::objects::ref_id).collect(),
                _ => vec![*r],
            },
            Ok(Object::Array(a)) => a.iter().filter_map(crate::objects::ref_id).collect(),
            _ => return true,
        };
        if groups.is_empty() {
            return true;
        }
        let mut states = groups.iter().map(|g| self.group_visible(*g));
        match get_name(doc, dict, b"P") {
            Some(b"AllOn") => states.all(|v| v),
            Some(b"AnyOff") => states.any(|v| !v),
            Some(b"AllOff") => states.all(|v| !v),
            _ => states.any(|v| v),
        }
    }
}

/// Encodes text in a font (by the reverse of its code-to-text map) and measures it, in
/// units of the font size. Characters the font cannot show are left out.
fn encode(font: &Font, text: &str) -> (Vec<u8>, f64) {
    let mut bytes = Vec::new();
    let mut width = 0.0;
    let mut scratch = String::new();
    for ch in text.chars() {
        let mut buf = [0u8; 4];
        let want: &str = ch.encode_utf8(&mut buf);
        if let Some(code) = font.code_for(want) {
            scratch.clear();
            let g = font.next_glyph(&[code], &mut scratch);
            width += g.width;
            bytes.push(code);
        }
    }
    (bytes, width)
}

/// Breaks a field value into lines at its line breaks and, greedily at spaces, where a
/// line would grow wider than `max` (in units of the font size).
fn wrap_lines(text: &str, max: f64, width: &dyn Fn(&str) -> f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split(['\n', '\r']) {
        let mut line = String::new();
        for word in para.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && width(&candidate) > max {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
            if lines.len() > 1000 {
                return lines;
            }
        }
        lines.push(line);
    }
    lines
}

/// State shared by the pages of one document.
pub(crate) struct Interp<'d> {
    doc: &'d Document,
    fonts: FontCache,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    optional: Option<OptionalContent>,
    /// The interactive form's wish that viewers regenerate field appearances.
    need_appearances: bool,
    form_resources: Option<&'d Dictionary>,
    form_da: Option<&'d Object>,
    helvetica: Option<Rc<Font>>,
    /// Why content streams could not be read (a filter's name, or that compressed data gave
    /// nothing): a document whose pages give no text for these reasons is not a scan.
    unread: std::collections::BTreeSet<String>,
}

impl<'d> Interp<'d> {
    pub(crate) fn new(doc: &'d Document) -> Interp<'d> {
        let acro_form = doc
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|r| as_dict(doc, r))
            .and_then(|catalog| get_dict(doc, catalog, b"AcroForm"));
        Interp {
            doc,
            fonts: FontCache::default(),
            forms: HashMap::new(),
            optional: OptionalContent::read(doc),
            need_appearances: acro_form
                .and_then(|f| get(doc, f, b"NeedAppearances"))
                .is_some_and(|v| matches!(v, Object::Boolean(true))),
            form_resources: acro_form.and_then(|f| get_dict(doc, f, b"DR")),
            form_da: acro_form.and_then(|f| get(doc, f, b"DA")),
            helvetica: None,
            unread: std::collections::BTreeSet::new(),
        }
    }

    /// Why some content streams could not be read, if any could not.
    pub(crate) fn unread(&self) -> &std::collections::BTreeSet<String> {
        &self.unread
    }

    /// Notes a content stream that gave nothing to read.
    fn note_unread(
        &mut self,
        stream: &lopdf::Stream,
        decoded: &Result<std::borrow::Cow<'_, [u8]>, DecodeError>,
    ) {
        match decoded {
            Err(DecodeError::Unsupported(filter)) => {
                self.unread.insert(filter.clone());
            }
            // Compressed data that decompresses to nothing: damaged, or encrypted with a
            // key that was not the right one.
            Ok(data)
                if data.is_empty()
                    && !stream.content.is_empty()
                    && stream.dict.get(b"Filter").is_ok() =>
            {
                self.unread.insert(UNDECODABLE.to_string());
            }
            _ => {}
        }
    }

    /// Helvetica in WinAnsiEncoding, the font viewers fall back to for form fields.
    fn helvetica(&mut self, budget: &mut Budget) -> Result<Rc<Font>, Stop> {
        if let Some(f) = &self.helvetica {
            return Ok(f.clone());
        }
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Font".to_vec()));
        dict.set("Subtype", Object::Name(b"Type1".to_vec()));
        dict.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
        dict.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        let font = Rc::new(Font::load(self.doc, &dict, budget)?);
        self.helvetica = Some(font.clone());
        Ok(font)
    }

    /// The page's text, and the share of its area that the largest picture it draws covers
    /// (0 to 1).
    pub(crate) fn page_text(
        &mut self,
        page: &Page<'d>,
        budget: &mut Budget,
    ) -> Result<(String, f32), Stop> {
        let [x0, y0, x1, y1] = page.media_box;
        let (ctm, width, height) = match page.rotate {
            1 => ([0.0, 1.0, 1.0, 0.0, -y0, -x0], y1 - y0, x1 - x0),
            2 => ([-1.0, 0.0, 0.0, 1.0, x1, -y0], x1 - x0, y1 - y0),
            3 => ([0.0, -1.0, -1.0, 0.0, y1, x1], y1 - y0, x1 - x0),
            _ => ([1.0, 0.0, 0.0, -1.0, -x0, y1], x1 - x0, y1 - y0),
        };
        let mut text = TextPage::new(width, height);
        let content = self.page_content(page, budget)?;
        let picture = {
            let mut run = Run::new(self, &mut text, budget, ctm);
            run.page = (width, height);
            run.execute(&content, page.resources, 0)?;
            run.annotations(page)?;
            run.picture_area
        };
        let page_area = width * height;
        let cover = if page_area.is_finite() && page_area > 0.0 {
            (picture / page_area).clamp(0.0, 1.0) as f32
        } else {
            0.0
        };
        Ok((text.finish(budget)?, cover))
    }

    fn page_content(&mut self, page: &Page<'d>, budget: &mut Budget) -> Result<Vec<u8>, Stop> {
        let doc = self.doc;
        let streams: Vec<&lopdf::Stream> = match get(doc, page.dict, b"Contents") {
            Some(Object::Stream(s)) => vec![s],
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(|o| match resolve(doc, o) {
                    Object::Stream(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut content = Vec::new();
        for s in streams {
            let decoded = filters::decode(doc, s, budget);
            self.note_unread(s, &decoded);
            match decoded {
                Ok(data) => {
                    content.extend_from_slice(&data);
                    // Streams of one page join at token boundaries.
                    content.push(b'\n');
                }
                Err(e) => {
                    if let Some(stop) = e.into_stop() {
                        return Err(stop);
                    }
                }
            }
        }
        Ok(content)
    }
}

/// One page's (or annotation's) execution.
struct Run<'i, 'd> {
    interp: &'i mut Interp<'d>,
    out: &'i mut TextPage,
    budget: &'i mut Budget,
    gs: GState,
    saved: Vec<GState>,
    /// q nested beyond the stack bound, matched by Q without restoring.
    overflow_saves: usize,
    tm: Matrix,
    tlm: Matrix,
    /// Marked-content stack: (is ActualText, hides content).
    marked: Vec<(bool, bool)>,
    hidden: usize,
    forms_active: Vec<ObjectId>,
    scratch: String,
    /// The area, in default user space, of the largest picture drawn so far.
    picture_area: f64,
    /// The page's width and height: what of a picture lies off the page is not seen.
    page: (f64, f64),
}

impl<'i, 'd> Run<'i, 'd> {
    fn new(
        interp: &'i mut Interp<'d>,
        out: &'i mut TextPage,
        budget: &'i mut Budget,
        ctm: Matrix,
    ) -> Self {
        Run {
            interp,
            out,
            budget,
            gs: GState {
                ctm,
                font: None,
                font_size: 0.0,
                char_space: 0.0,
                word_space: 0.0,
                horiz_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
            },
            saved: Vec::new(),
            overflow_saves: 0,
            tm: IDENTITY,
            tlm: IDENTITY,
            marked: Vec::new(),
            hidden: 0,
            forms_active: Vec::new(),
            scratch: String::new(),
            picture_area: 0.0,
            page: (0.0, 0.0),
        }
    }

    fn doc(&self) -> &'d Document {
        self.interp.doc
    }

    fn execute(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        depth: usize,
    ) -> Result<(), Stop> {
        let mut lexer = Lexer::new(content);
        let mut ops: Vec<Operand<'_>> = Vec::with_capacity(16);
        let saved_depth = self.saved.len();
        let marked_depth = self.marked.len();
        while let Some(op) = lexer.next_op(&mut ops) {
            self.budget.operations(1)?;
            self.operator(op, &ops, resources, depth)?;
        }
        // A stream's unbalanced q and BDC do not leak into the stream that drew it.
        while self.saved.len() > saved_depth {
            self.restore();
        }
        while self.marked.len() > marked_depth {
            self.end_marked();
        }
        Ok(())
    }

    fn num(ops: &[Operand<'_>], i: usize) -> f64 {
        ops.get(i).and_then(Operand::num).unwrap_or(0.0)
    }

    /// The last `n` operands as numbers, if they all are.
    fn nums<const N: usize>(ops: &[Operand<'_>]) -> Option<[f64; N]> {
        if ops.len() < N {
            return None;
        }
        let mut out = [0.0; N];
        for (slot, o) in out.iter_mut().zip(&ops[ops.len() - N..]) {
            *slot = o.num()?;
        }
        Some(out)
    }

    fn operator(
        &mut self,
        op: &[u8],
        ops: &[Operand<'_>],
        resources: Option<&'d Dictionary>,
        depth: usize,
    ) -> Result<(), Stop> {
        match op {
            b"q" => {
                if self.saved.len() < MAX_SAVED_STATES {
                    self.saved.push(self.gs.clone());
                } else {
                    self.overflow_saves += 1;
                }
            }
            b"Q" => self.restore(),
            b"cm" => {
                if let Some(m) = Self::nums::<6>(ops)
                    && m.iter().all(|v| v.is_finite())
                {
                    self.gs.ctm = concat(&m, &self.gs.ctm);
                }
            }
            b"BT" => {
                self.tm = IDENTITY;
                self.tlm = IDENTITY;
            }
            b"ET" => {}
            b"Tf" => {
                self.gs.font_size = Self::num(ops, 1);
                self.gs.font = match ops.first() {
                    Some(Operand::Name(n)) => self.font(resources, n)?,
                    _ => None,
                };
            }
            b"Tc" => self.gs.char_space = Self::num(ops, 0),
            b"Tw" => self.gs.word_space = Self::num(ops, 0),
            b"Tz" => self.gs.horiz_scale = Self::num(ops, 0) / 100.0,
            b"TL" => self.gs.leading = Self::num(ops, 0),
            b"Ts" => self.gs.rise = Self::num(ops, 0),
            b"Td" => {
                if let Some([tx, ty]) = Self::nums::<2>(ops) {
                    self.move_line(tx, ty);
                }
            }
            b"TD" => {
                if let Some([tx, ty]) = Self::nums::<2>(ops) {
                    self.gs.leading = -ty;
                    self.move_line(tx, ty);
                }
            }
            b"Tm" => {
                if let Some(m) = Self::nums::<6>(ops)
                    && m.iter().all(|v| v.is_finite())
                {
                    self.tm = m;
                    self.tlm = m;
                }
            }
            b"T*" => self.move_line(0.0, -self.gs.leading),
            b"Tj" => {
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s)?;
                }
            }
            b"'" => {
                self.move_line(0.0, -self.gs.leading);
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s)?;
                }
            }
            b"\"" => {
                if ops.len() >= 3 {
                    self.gs.word_space = Self::num(ops, ops.len() - 3);
                    self.gs.char_space = Self::num(ops, ops.len() - 2);
                }
                self.move_line(0.0, -self.gs.leading);
                if let Some(Operand::Str(s)) = ops.last() {
                    self.show(s)?;
                }
            }
            b"TJ" => {
                if let Some(Operand::Array(items)) = ops.last() {
                    for item in items {
                        match item {
                            Operand::Str(s) => self.show(s)?,
                            Operand::Num(n) => {
                                let vertical = self.gs.font.as_ref().is_some_and(|f| f.vertical);
                                let shift = -n * 0.001 * self.gs.font_size;
                                let (tx, ty) = if vertical {
                                    (0.0, shift)
                                } else {
                                    (shift * self.gs.horiz_scale, 0.0)
                                };
                                self.tm = concat(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tm);
                            }
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(Operand::Name(n)) = ops.last() {
                    self.x_object(resources, n, depth)?;
                }
            }
            // The end of an inline image (the tokenizer skips its data).
            b"EI" => self.picture_drawn(),
            b"gs" => {
                if let Some(Operand::Name(n)) = ops.last() {
                    self.ext_g_state(resources, n)?;
                }
            }
            b"BMC" => self.marked.push((false, false)),
            b"BDC" => self.begin_marked(ops, resources),
            b"EMC" => self.end_marked(),
            _ => {}
        }
        Ok(())
    }

    fn restore(&mut self) {
        if self.overflow_saves > 0 {
            self.overflow_saves -= 1;
        } else if let Some(gs) = self.saved.pop() {
            self.gs = gs;
        }
    }

    fn move_line(&mut self, tx: f64, ty: f64) {
        if !(tx.is_finite() && ty.is_finite()) {
            return;
        }
        self.tlm = concat(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm);
        self.tm = self.tlm;
    }

    fn resource(
        &self,
        resources: Option<&'d Dictionary>,
        category: &[u8],
        name: &[u8],
    ) -> Option<&'d Object> {
        let doc = self.doc();
        let dict = get_dict(doc, resources?, category)?;
        dict.get(name).ok()
    }

    fn font(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, Stop> {
        let Some(obj) = self.resource(resources, b"Font", name) else {
            return Ok(None);
        };
        self.load_font(obj)
    }

    fn load_font(&mut self, obj: &'d Object) -> Result<Option<Rc<Font>>, Stop> {
        let doc = self.doc();
        let Some(dict) = as_dict(doc, obj) else {
            return Ok(None);
        };
        let key = match crate::objects::ref_id(obj) {
            Some(id) => (1usize << 62) | ((id.0 as usize) << 16) | id.1 as usize,
            None => dict as *const Dictionary as usize,
        };
        self.interp.fonts.get(doc, key, dict, self.budget).map(Some)
    }

    fn ext_g_state(&mut self, resources: Option<&'d Dictionary>, name: &[u8]) -> Result<(), Stop> {
        let doc = self.doc();
        let Some(gs) = self
            .resource(resources, b"ExtGState", name)
            .and_then(|o| as_dict(doc, o))
        else {
            return Ok(());
        };
        if let Some(Object::Array(a)) = get(doc, gs, b"Font")
            && a.len() == 2
            && let Some(size) = crate::objects::number(doc, &a[1])
        {
            self.gs.font = self.load_font(&a[0])?;
            self.gs.font_size = size;
        }
        Ok(())
    }

    fn begin_marked(&mut self, ops: &[Operand<'_>], resources: Option<&'d Dictionary>) {
        let doc = self.doc();
        let tag: &[u8] = match ops.first() {
            Some(Operand::Name(n)) => n,
            _ => b"",
        };
        let mut actual = false;
        let mut hides = false;
        if tag.starts_with(b"OC")
            && let Some(oc) = &self.interp.optional
            && let Some(Operand::Name(prop)) = ops.get(1)
            && let Some(obj) = self.resource(resources, b"Properties", prop)
        {
            hides = !oc.visible(doc, obj);
        } else if tag == b"Span"
            && let Some(Operand::Dict(items)) = ops.get(1)
            && let Some((_, Operand::Str(s))) =
                items.iter().find(|(k, _)| k.as_ref() == b"ActualText")
        {
            actual = true;
            self.out.begin_actual_text(crate::objects::text_string(s));
        }
        if hides {
            self.hidden += 1;
        }
        self.marked.push((actual, hides));
    }

    fn end_marked(&mut self) {
        if let Some((actual, hides)) = self.marked.pop() {
            if actual {
                self.out.end_actual_text();
            }
            if hides {
                self.hidden = self.hidden.saturating_sub(1);
            }
        }
    }

    fn x_object(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
        depth: usize,
    ) -> Result<(), Stop> {
        if self.hidden > 0 {
            return Ok(());
        }
        let doc = self.doc();
        let Some(obj) = self.resource(resources, b"XObject", name) else {
            return Ok(());
        };
        let Object::Stream(stream) = resolve(doc, obj) else {
            return Ok(());
        };
        match get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Form") => {}
            Some(b"Image") => {
                let hidden = matches!(
                    (&self.interp.optional, stream.dict.get(b"OC")),
                    (Some(oc), Ok(oc_obj)) if !oc.visible(doc, oc_obj)
                );
                if !hidden {
                    self.picture_drawn();
                }
                return Ok(());
            }
            _ => return Ok(()),
        }
        let id = crate::objects::ref_id(obj);
        self.form(stream, id, resources, depth)
    }

    /// A picture fills the unit square of the current transformation: its area is the
    /// matrix's determinant. Hidden content draws nothing.
    fn picture_drawn(&mut self) {
        if self.hidden > 0 {
            return;
        }
        let [a, b, c, d, e, f] = self.gs.ctm;
        // The unit square's corners on the page; of its bounding box, the part on the page.
        let xs = [e, a + e, c + e, a + c + e];
        let ys = [f, b + f, d + f, b + d + f];
        let (w, h) = self.page;
        let span = |v: [f64; 4], limit: f64| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min).max(0.0);
            let hi = v
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .min(limit);
            (hi - lo).max(0.0)
        };
        let on_page = span(xs, w) * span(ys, h);
        let area = (a * d - b * c).abs().min(on_page);
        if area.is_finite() && area > self.picture_area {
            self.picture_area = area;
        }
    }

    fn form(
        &mut self,
        stream: &'d lopdf::Stream,
        id: Option<ObjectId>,
        resources: Option<&'d Dictionary>,
        depth: usize,
    ) -> Result<(), Stop> {
        let doc = self.doc();
        if depth >= self.budget.limits.max_depth {
            return Ok(());
        }
        if let Some(id) = id
            && self.forms_active.contains(&id)
        {
            return Ok(());
        }
        if let (Some(oc), Ok(oc_obj)) = (&self.interp.optional, stream.dict.get(b"OC"))
            && !oc.visible(doc, oc_obj)
        {
            return Ok(());
        }
        let content: Rc<Vec<u8>> = match id.and_then(|id| self.interp.forms.get(&id)) {
            Some(c) => c.clone(),
            None => {
                let decoded = filters::decode(doc, stream, self.budget);
                self.interp.note_unread(stream, &decoded);
                let data = match decoded {
                    Ok(d) => d.into_owned(),
                    Err(e) => {
                        return match e.into_stop() {
                            Some(stop) => Err(stop),
                            None => Ok(()),
                        };
                    }
                };
                let data = Rc::new(data);
                if let Some(id) = id {
                    self.interp.forms.insert(id, data.clone());
                }
                data
            }
        };
        let form_resources = get_dict(doc, &stream.dict, b"Resources").or(resources);
        let m = get(doc, &stream.dict, b"Matrix")
            .and_then(|o| matrix(doc, o))
            .unwrap_or(IDENTITY);
        let saved = self.gs.clone();
        let (tm, tlm) = (self.tm, self.tlm);
        self.gs.ctm = concat(&m, &self.gs.ctm);
        if let Some(id) = id {
            self.forms_active.push(id);
        }
        let r = self.execute(&content, form_resources, depth + 1);
        if id.is_some() {
            self.forms_active.pop();
        }
        self.gs = saved;
        self.tm = tm;
        self.tlm = tlm;
        r
    }

    /// Draws the normal appearance of every visible annotation, as viewers and pdftotext
    /// do: filled-in form fields and free-text notes are part of the page's text.
    fn annotations(&mut self, page: &Page<'d>) -> Result<(), Stop> {
        let doc = self.doc();
        let Some(annots) = get_array(doc, page.dict, b"Annots") else {
            return Ok(());
        };
        let base = self.gs.clone();
        for annot in annots.iter().take(10_000) {
            let Some(a) = as_dict(doc, annot) else {
                continue;
            };
            let flags = get_int(doc, a, b"F").unwrap_or(0);
            // Hidden (bit 2) or NoView (bit 6).
            if flags & 2 != 0 || flags & 32 != 0 {
                continue;
            }
            let Some(area) = get(doc, a, b"Rect").and_then(|o| rect(doc, o)) else {
                continue;
            };
            let normal = get_dict(doc, a, b"AP").and_then(|ap| ap.get(b"N").ok());
            if get_name(doc, a, b"Subtype") == Some(b"Widget")
                && (normal.is_none() || self.interp.need_appearances)
                && self.field_text(a, area, &base)?
            {
                continue;
            }
            let Some(normal) = normal else { continue };
            let (stream_obj, stream) = match resolve(doc, normal) {
                Object::Stream(s) => (normal, s),
                Object::Dictionary(states) => {
                    let Some(state) = get_name(doc, a, b"AS") else {
                        continue;
                    };
                    let Ok(o) = states.get(state) else { continue };
                    match resolve(doc, o) {
                        Object::Stream(s) => (o, s),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            if let (Some(oc), Ok(oc_obj)) = (&self.interp.optional, a.get(b"OC"))
                && !oc.visible(doc, oc_obj)
            {
                continue;
            }
            let bbox = get(doc, &stream.dict, b"BBox").and_then(|o| rect(doc, o));
            let Some(bbox) = bbox else { continue };
            let m = get(doc, &stream.dict, b"Matrix")
                .and_then(|o| matrix(doc, o))
                .unwrap_or(IDENTITY);
            // The appearance's box, through its matrix, maps onto the annotation rectangle.
            let corners = [
                apply(&m, bbox[0], bbox[1]),
                apply(&m, bbox[2], bbox[1]),
                apply(&m, bbox[0], bbox[3]),
                apply(&m, bbox[2], bbox[3]),
            ];
            let (mut bx0, mut by0, mut bx1, mut by1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for (x, y) in corners {
                bx0 = bx0.min(x);
                by0 = by0.min(y);
                bx1 = bx1.max(x);
                by1 = by1.max(y);
            }
            let sx = if bx1 > bx0 {
                (area[2] - area[0]) / (bx1 - bx0)
            } else {
                1.0
            };
            let sy = if by1 > by0 {
                (area[3] - area[1]) / (by1 - by0)
            } else {
                1.0
            };
            let place = [sx, 0.0, 0.0, sy, area[0] - bx0 * sx, area[1] - by0 * sy];
            self.gs = base.clone();
            self.gs.ctm = concat(&place, &base.ctm);
            self.tm = IDENTITY;
            self.tlm = IDENTITY;
            self.form(
                stream,
                crate::objects::ref_id(stream_obj),
                page.resources,
                0,
            )?;
        }
        self.gs = base;
        Ok(())
    }

    /// Draws a text or choice field's value as a viewer generates its appearance (when the
    /// widget has none, or the form asks for appearances to be regenerated): in the field's
    /// default-appearance font, one line or wrapped lines, aligned by the field's quadding.
    /// Returns whether the widget was a field drawn this way.
    fn field_text(
        &mut self,
        widget: &'d Dictionary,
        area: [f64; 4],
        base: &GState,
    ) -> Result<bool, Stop> {
        let doc = self.doc();
        // Field attributes are inherited through the field hierarchy.
        let inherited = |key: &[u8]| -> Option<&'d Object> {
            let mut node = widget;
            for _ in 0..32 {
                if let Some(v) = get(doc, node, key) {
                    return Some(v);
                }
                node = get_dict(doc, node, b"Parent")?;
            }
            None
        };
        let kind = match inherited(b"FT") {
            Some(Object::Name(n)) => n.as_slice(),
            _ => return Ok(false),
        };
        let flags = match inherited(b"Ff") {
            Some(Object::Integer(i)) => *i,
            _ => 0,
        };
        let value = match (kind, inherited(b"V")) {
            (b"Tx", Some(Object::String(s, _))) => crate::objects::text_string(s),
            (b"Ch", Some(v)) if flags & (1 << 17) != 0 => match v {
                Object::String(s, _) => crate::objects::text_string(s),
                Object::Array(a) => match a.first().map(|o| resolve(doc, o)) {
                    Some(Object::String(s, _)) => crate::objects::text_string(s),
                    _ => return Ok(true),
                },
                _ => return Ok(true),
            },
            (b"Tx" | b"Ch", _) => return Ok(true),
            _ => return Ok(false),
        };
        // Password fields show no text.
        if value.trim().is_empty() || (kind == b"Tx" && flags & (1 << 13) != 0) {
            return Ok(true);
        }
        // Without a default appearance there is no font to draw the value in.
        let da = match inherited(b"DA").or(self.interp.form_da) {
            Some(Object::String(s, _)) => s.as_slice(),
            _ => return Ok(true),
        };
        // The font name and size of the last `Tf` in the default appearance.
        let mut lexer = Lexer::new(da);
        let mut ops = Vec::new();
        let mut font_name: Option<Vec<u8>> = None;
        let mut size = 0.0;
        while let Some(op) = lexer.next_op(&mut ops) {
            if op == b"Tf"
                && let [Operand::Name(n), Operand::Num(s)] = ops.as_slice()
            {
                font_name = Some(n.to_vec());
                size = *s;
            }
        }
        let font = match font_name {
            Some(n) => self.font(self.interp.form_resources, &n)?,
            None => None,
        };
        let font = match font {
            Some(f) => f,
            None => self.interp.helvetica(self.budget)?,
        };
        let quad = match inherited(b"Q") {
            Some(Object::Integer(q)) => *q,
            _ => 0,
        };
        let border = get_dict(doc, widget, b"BS")
            .and_then(|bs| crate::objects::get_number(doc, bs, b"W"))
            .unwrap_or(1.0);
        let (w, h) = (area[2] - area[0], area[3] - area[1]);
        // The widget's rotation turns its content within the rectangle.
        let rotation = get_dict(doc, widget, b"MK")
            .and_then(|mk| get_int(doc, mk, b"R"))
            .unwrap_or(0)
            .rem_euclid(360);
        let (turn, dx, dy) = match rotation {
            90 => ([0.0, 1.0, -1.0, 0.0, w, 0.0], h, w),
            180 => ([-1.0, 0.0, 0.0, -1.0, w, h], w, h),
            270 => ([0.0, -1.0, 1.0, 0.0, 0.0, h], h, w),
            _ => (IDENTITY, w, h),
        };
        let width_of = |s: &str| -> f64 { encode(&font, s).1 };
        let multiline = kind == b"Tx" && flags & (1 << 12) != 0;
        let lines: Vec<(String, f64, f64)> = if multiline {
            let wrap = |fs: f64| wrap_lines(&value, dx / fs, &width_of);
            if size <= 0.0 {
                size = 2.0;
                for fs in (2..=20).rev() {
                    let fs = fs as f64;
                    let n = wrap(fs).len() as f64;
                    if dy - 3.0 - n * fs >= 0.33 * fs {
                        size = fs;
                        break;
                    }
                }
            }
            wrap(size)
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    let w = width_of(&line) * size;
                    let x = match quad {
                        1 => (dx - w) / 2.0,
                        2 => dx - w - border - 2.0,
                        _ => border + 2.0,
                    };
                    (line, x, dy - 3.0 - size * (i as f64 + 1.0))
                })
                .collect()
        } else {
            let line: String = value
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            let unscaled = width_of(&line);
            if size <= 0.0 {
                size = dy - 2.0 * border;
                if unscaled > 0.0 {
                    size = size.min((dx - 4.0 - 2.0 * border) / unscaled);
                }
                size = size.floor().max(1.0);
            }
            let w = unscaled * size;
            let x = match quad {
                1 => (dx - w) / 2.0,
                2 => dx - border - 2.0 - w,
                _ => border + 2.0,
            };
            vec![(line, x, 0.5 * dy - 0.4 * size)]
        };
        self.gs = base.clone();
        self.gs.ctm = concat(
            &turn,
            &concat(&[1.0, 0.0, 0.0, 1.0, area[0], area[1]], &base.ctm),
        );
        self.gs.font = Some(font.clone());
        self.gs.font_size = size;
        for (line, x, y) in lines {
            let (bytes, _) = encode(&font, &line);
            self.tm = [1.0, 0.0, 0.0, 1.0, x, y];
            self.tlm = self.tm;
            self.show(&bytes)?;
        }
        self.gs = base.clone();
        Ok(true)
    }

    fn show(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        let Some(font) = self.gs.font.clone() else {
            return Ok(());
        };
        if bytes.is_empty() {
            return Ok(());
        }
        self.budget.operations(bytes.len() as u64 / 8)?;
        let gs = &self.gs;
        let fs = gs.font_size;
        let th = gs.horiz_scale;
        // Text space to page space.
        let trm = concat(&self.tm, &gs.ctm);
        let mut fm = [trm[0] * fs, trm[1] * fs, trm[2] * fs, trm[3] * fs];
        if font.kind == FontKind::Type3 {
            let f = &font.font_matrix;
            fm = [
                f[0] * fm[0] + f[1] * fm[2],
                f[0] * fm[1] + f[1] * fm[3],
                f[2] * fm[0] + f[3] * fm[2],
                f[2] * fm[1] + f[3] * fm[3],
            ];
        }
        let mut rot = if (fm[0] * fm[3]).abs() > (fm[1] * fm[2]).abs() {
            if fm[0] > 0.0 || fm[3] < 0.0 { 0 } else { 2 }
        } else if fm[2] > 0.0 {
            1
        } else {
            3
        };
        if font.vertical {
            rot = (rot + 1) & 3;
        }
        let diagonal = if fm[0].abs() >= fm[1].abs() {
            fm[1].abs() > 0.1 * fm[0].abs()
        } else {
            fm[0].abs() > 0.1 * fm[1].abs()
        };
        let size_x = trm[2] * fs;
        let size_y = trm[3] * fs;
        let font_size = (size_x * size_x + size_y * size_y).sqrt() * font.type3_size_factor;
        let (tc, tw, rise) = (gs.char_space, gs.word_space, gs.rise);
        let visible = self.hidden == 0;
        let mut rest = bytes;
        while !rest.is_empty() {
            self.scratch.clear();
            let g = font.next_glyph(rest, &mut self.scratch);
            rest = &rest[g.bytes.min(rest.len())..];
            let spacing = tc + if g.word_space { tw } else { 0.0 };
            // The glyph's own extent excludes character and word spacing.
            let (adv_x, adv_y, ext_x, ext_y) = if font.vertical {
                // Vertical advance: the default glyph height of one em, downwards.
                let h = -fs;
                (0.0, h + spacing, 0.0, h)
            } else {
                let w = g.width * fs;
                ((w + spacing) * th, 0.0, w * th, 0.0)
            };
            if visible {
                let trm = concat(&self.tm, &self.gs.ctm);
                let (x, y) = apply(&trm, 0.0, rise);
                let (w, h) = apply_delta(&trm, ext_x, ext_y);
                self.out.add_char(&Char {
                    x,
                    y,
                    w,
                    h,
                    font_size,
                    rot,
                    diagonal,
                    text: &self.scratch,
                    font: Rc::as_ptr(&font) as usize,
                    ascent: font.ascent,
                    descent: font.descent,
                    bytes: g.bytes,
                });
            }
            self.tm = concat(&[1.0, 0.0, 0.0, 1.0, adv_x, adv_y], &self.tm);
        }
        Ok(())
    }
}
