//! A CQL2 text parser in linear time.
//!
//! It reads the grammar of the `cql2` crate (its `cql2.pest`) and builds the
//! same [`cql2::Expr`], normalised the same way, so that everything after
//! parsing (the filter compiler, the JSON encoding) is unchanged. What it
//! changes is the cost: the PEG grammar tries a parenthesised expression
//! before an array and re-reads the whole group when that fails, which
//! doubles the work at every level of nesting. Here a group is read once and
//! becomes an array at its first comma; a geometry that fails to read is
//! remembered at its position; nesting is bounded. Every rule reads each
//! character a bounded number of times.
//!
//! Acceptance follows the grammar, quirks included (keywords such as `and`
//! are matched without a word boundary, as the grammar does), because
//! differential fuzzing holds the two parsers to the same answer on every
//! input both accept.

use std::collections::HashSet;

use cql2::{Expr, Geometry};

/// Deepest nesting accepted: of groups, calls and arrays while reading, and
/// of the expression tree built (so that nothing after the parser, nor its
/// drop, can exhaust the stack).
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cql2TextError {
    #[error("at character {0}: {1}")]
    Syntax(usize, String),
    #[error("the filter is nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
}

/// Parses CQL2 text.
pub fn parse(text: &str) -> Result<Expr, Cql2TextError> {
    let mut p = Parser {
        s: text,
        pos: 0,
        depth: 0,
        failed_geometry: HashSet::new(),
    };
    p.ws();
    let e = p.expr()?;
    p.ws();
    if p.pos != text.len() {
        return Err(p.error("an operator or the end of the filter"));
    }
    Ok(normalize(e))
}

/// Holds this parser to the `cql2` crate's, for fuzzing: on every text
/// either accepts, both must accept it (but for nesting past
/// [`MAX_DEPTH`]) and read the same expression. The crate's parser is given
/// a call limit, or nested input would take it minutes (inputs it gives up
/// on are not compared).
#[doc(hidden)]
pub fn differential(text: &str) -> Result<(), String> {
    static LIMIT: std::sync::Once = std::sync::Once::new();
    LIMIT.call_once(|| pest::set_call_limit(std::num::NonZeroUsize::new(30_000)));
    if text.chars().any(tables_disagree) {
        return Ok(());
    }
    let ours = parse(text);
    let theirs = cql2::parse_text(text);
    match (ours, theirs) {
        (Ok(a), Ok(_)) if computed_bbox(&a) => Ok(()),
        (Ok(a), Ok(b)) => {
            // Debug, not ==: geometries compare by `s_equals`, false for an invalid one.
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            if a == b {
                Ok(())
            } else {
                Err(format!("{text:?}: read as {a}, the crate reads {b}"))
            }
        }
        (Err(Cql2TextError::TooDeep), _) | (Err(_), Err(_)) => Ok(()),
        (Err(e), Ok(b)) => Err(format!("{text:?}: refused ({e}), the crate reads {b:?}")),
        (Ok(_), Err(e)) if e.to_string().contains("call limit") => Ok(()),
        (Ok(a), Err(e)) => Err(format!("{text:?}: read as {a:?}, the crate refuses it: {e}")),
    }
}

/// Whether pest's Unicode tables (the crate's `ALPHABETIC` and `NUMBER`)
/// class `c` otherwise than Rust's: they call some unassigned code points
/// (U+0558) letters, so the crate reads names Unicode 17 does not have.
fn tables_disagree(c: char) -> bool {
    pest::unicode::ALPHABETIC(c) != c.is_alphabetic() || pest::unicode::NUMBER(c) != c.is_numeric()
}

/// Whether a BBOX in `e` has a coordinate that is not a number. CQL2 allows
/// numbers only; both parsers read expressions there, but the crate spells
/// their operators half-normalised (`t_overlaps` lowercased, `!=` not made
/// `<>`), and compiling refuses such a BBOX anyway ("bad geometry"), so the
/// differential check does not compare them.
fn computed_bbox(e: &Expr) -> bool {
    match e {
        Expr::BBox { bbox } => bbox.iter().any(|c| !matches!(**c, Expr::Float(_))),
        Expr::Operation { args, .. } => args.iter().any(|a| computed_bbox(a)),
        Expr::Array(items) => items.iter().any(|a| computed_bbox(a)),
        Expr::Interval { interval } => interval.iter().any(|a| computed_bbox(a)),
        _ => false,
    }
}

/// One element of an expression, in the order written; [`pratt`] gives the
/// operators their precedence.
enum Item {
    Negative,
    Not,
    Atom(Expr),
    IsNull { not: bool },
    Between { not: bool, low: Expr, high: Expr },
    Infix { op: Infix, not: bool },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Infix {
    Or,
    And,
    Eq,
    NotEq(&'static str),
    Gt,
    GtEq,
    Lt,
    LtEq,
    Like,
    In,
    Add,
    Subtract,
    Multiply,
    Divide(&'static str),
    Modulo,
    Power,
}

#[derive(Clone, Copy, PartialEq)]
enum Assoc {
    Left,
    Right,
}

impl Infix {
    /// Precedence and associativity, as the grammar's Pratt table orders
    /// them (loosest first, ten apart).
    fn binding(self) -> (u32, Assoc) {
        use Infix::*;
        match self {
            Or => (10, Assoc::Left),
            And => (20, Assoc::Left),
            Eq => (40, Assoc::Right),
            NotEq(_) | Gt | GtEq | Lt | LtEq => (50, Assoc::Right),
            Like => (60, Assoc::Right),
            In => (70, Assoc::Left),
            Add | Subtract => (90, Assoc::Left),
            Multiply | Divide(_) | Modulo => (100, Assoc::Left),
            Power => (110, Assoc::Left),
        }
    }

    fn name(self) -> &'static str {
        use Infix::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "=",
            NotEq(s) => s,
            Gt => ">",
            GtEq => ">=",
            Lt => "<",
            LtEq => "<=",
            Like => "like",
            In => "in",
            Add => "+",
            Subtract => "-",
            Multiply => "*",
            Divide(s) => s,
            Modulo => "%",
            Power => "^",
        }
    }
}

const NOT_PREC: u32 = 30;
const POSTFIX_PREC: u32 = 80;
const NEGATIVE_PREC: u32 = 120;

fn op(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Operation {
        op: name.to_string(),
        args: args.into_iter().map(Box::new).collect(),
    }
}

fn negate_if(not: bool, e: Expr) -> Expr {
    if not { op("not", vec![e]) } else { e }
}

/// Applies precedence to the items of one expression, as pest's Pratt
/// parser does.
fn pratt(items: Vec<Item>) -> Result<Expr, Cql2TextError> {
    let mut it = items.into_iter().peekable();
    pratt_expr(&mut it, 0, 0)
}

fn pratt_expr(
    it: &mut std::iter::Peekable<std::vec::IntoIter<Item>>,
    rbp: u32,
    level: usize,
) -> Result<Expr, Cql2TextError> {
    if level > MAX_DEPTH {
        return Err(Cql2TextError::TooDeep);
    }
    let mut lhs = match it.next().expect("the grammar gives every expression an atom") {
        Item::Negative => match pratt_expr(it, NEGATIVE_PREC - 1, level + 1)? {
            Expr::Float(v) => Expr::Float(-v),
            child => op("*", vec![Expr::Float(-1.0), child]),
        },
        Item::Not => op("not", vec![pratt_expr(it, NOT_PREC - 1, level + 1)?]),
        Item::Atom(e) => e,
        _ => unreachable!("an expression starts with a prefix or an atom"),
    };
    loop {
        let lbp = match it.peek() {
            None => 0,
            Some(Item::IsNull { .. } | Item::Between { .. }) => POSTFIX_PREC,
            Some(Item::Infix { op, .. }) => op.binding().0,
            Some(_) => unreachable!("an atom is followed by an operator"),
        };
        if rbp >= lbp {
            return Ok(lhs);
        }
        lhs = match it.next() {
            Some(Item::IsNull { not }) => negate_if(not, op("isNull", vec![lhs])),
            Some(Item::Between { not, low, high }) => negate_if(not, op("between", vec![lhs, low, high])),
            Some(Item::Infix { op: infix, not }) => {
                let (prec, assoc) = infix.binding();
                let rhs = pratt_expr(it, if assoc == Assoc::Left { prec } else { prec - 1 }, level + 1)?;
                // `(1)` reads as a group, not a list: `in` restores the list.
                let rhs = match (infix, rhs) {
                    (Infix::In, rhs @ Expr::Array(_)) => rhs,
                    (Infix::In, rhs) => Expr::Array(vec![Box::new(rhs)]),
                    (_, rhs) => rhs,
                };
                match (infix, lhs) {
                    // A chain of `and` (or `or`) is one operation, as the
                    // crate's normal form has it: no depth for long chains.
                    (Infix::And | Infix::Or, Expr::Operation { op: name, mut args }) if name == infix.name() => {
                        args.push(Box::new(rhs));
                        Expr::Operation { op: name, args }
                    }
                    (_, lhs) => negate_if(not, op(infix.name(), vec![lhs, rhs])),
                }
            }
            _ => unreachable!(),
        };
    }
}

/// WHITESPACE in the grammar: tab, newline, carriage return and the Unicode
/// separators (Zs, Zl, Zp).
fn is_ws(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// NameChar in the grammar.
fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || matches!(c, '_' | '.' | ':')
}

/// What a geometry reads as: where it ends, its widest coordinate, the
/// dimension markers left empty, and how many collections it holds.
struct Wkt {
    dims: usize,
    empty_markers: Vec<(usize, usize)>,
    collections: usize,
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
    /// Positions where a geometry was tried and failed: never tried twice.
    failed_geometry: HashSet<usize>,
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> Cql2TextError {
        let found: String = self.rest().chars().take(16).collect();
        let found = if found.is_empty() {
            "the end".to_string()
        } else {
            format!("`{found}`")
        };
        Cql2TextError::Syntax(
            self.s[..self.pos].chars().count(),
            format!("expected {expected}, found {found}"),
        )
    }

    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn ws(&mut self) {
        while let Some(c) = self.peek().filter(|c| is_ws(*c)) {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    /// A keyword in any case (`^"..."`).
    fn eat_keyword(&mut self, kw: &str) -> bool {
        match self.rest().get(..kw.len()) {
            Some(s) if s.eq_ignore_ascii_case(kw) => {
                self.pos += kw.len();
                true
            }
            _ => false,
        }
    }

    /// A keyword that ends where a name would (`^"kw" ~ !NameChar`).
    fn eat_word(&mut self, kw: &str) -> bool {
        let start = self.pos;
        if self.eat_keyword(kw) && !self.peek().is_some_and(is_name_char) {
            return true;
        }
        self.pos = start;
        false
    }

    fn enter(&mut self) -> Result<(), Cql2TextError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Cql2TextError::TooDeep);
        }
        Ok(())
    }

    /// `Expr`: prefixes, atoms and postfixes joined by infix operators.
    fn expr(&mut self) -> Result<Expr, Cql2TextError> {
        self.enter()?;
        let mut items = Vec::new();
        self.negatives(&mut items);
        self.atom_value(&mut items)?;
        loop {
            let before = self.pos;
            self.ws();
            let Some((infix, not)) = self.infix() else {
                self.pos = before;
                break;
            };
            let mark = items.len();
            items.push(Item::Infix { op: infix, not });
            self.ws();
            self.negatives(&mut items);
            if self.try_reading(|p| p.atom_value(&mut items))?.is_none() {
                // The repetition fails as a whole: the expression ends before the operator.
                items.truncate(mark);
                self.pos = before;
                break;
            }
        }
        self.depth -= 1;
        self.built(pratt(items)?)
    }

    /// Runs one way of reading what follows: `None` when it fails, with the
    /// nesting depth it took given back (the caller rewinds the position).
    /// Too deep is an answer, not a reason to read the text another way.
    fn try_reading<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, Cql2TextError>,
    ) -> Result<Option<T>, Cql2TextError> {
        let depth = self.depth;
        match read(self) {
            Ok(t) => Ok(Some(t)),
            Err(Cql2TextError::TooDeep) => Err(Cql2TextError::TooDeep),
            Err(_) => {
                self.depth = depth;
                Ok(None)
            }
        }
    }

    /// An expression built, refused when its tree is deeper than the limit.
    fn built(&self, e: Expr) -> Result<Expr, Cql2TextError> {
        if tree_depth(&e) + self.depth > MAX_DEPTH {
            return Err(Cql2TextError::TooDeep);
        }
        Ok(e)
    }

    fn negatives(&mut self, items: &mut Vec<Item>) {
        loop {
            let before = self.pos;
            self.ws();
            if self.eat("-") {
                items.push(Item::Negative);
            } else {
                self.pos = before;
                return;
            }
        }
    }

    /// `ExprAtomValue`: `NOT`s, an atom, and an optional `IS NULL` or `BETWEEN`.
    fn atom_value(&mut self, items: &mut Vec<Item>) -> Result<(), Cql2TextError> {
        loop {
            let before = self.pos;
            self.ws();
            if self.eat_word("not") {
                items.push(Item::Not);
            } else {
                self.pos = before;
                break;
            }
        }
        self.ws();
        let atom = self.atomic()?;
        items.push(Item::Atom(atom));
        let before = self.pos;
        self.ws();
        if let Some(not) = self.is_null() {
            items.push(Item::IsNull { not });
            return Ok(());
        }
        self.pos = before;
        self.ws();
        match self.try_reading(Self::between)? {
            Some(Some(item)) => items.push(item),
            Some(None) | None => self.pos = before,
        }
        Ok(())
    }

    /// `IS [NOT] NULL`, its NOT flag.
    fn is_null(&mut self) -> Option<bool> {
        let start = self.pos;
        if self.eat_keyword("is") {
            self.ws();
            let not = self.not_flag();
            self.ws();
            if self.eat_keyword("null") {
                return Some(not);
            }
        }
        self.pos = start;
        None
    }

    /// An optional `NOT` (as a word), with the space after it left to the caller.
    fn not_flag(&mut self) -> bool {
        self.eat_word("not")
    }

    /// `[NOT] BETWEEN low AND high`, when there is one.
    fn between(&mut self) -> Result<Option<Item>, Cql2TextError> {
        let start = self.pos;
        let not = {
            let before = self.pos;
            if self.not_flag() {
                self.ws();
                true
            } else {
                self.pos = before;
                false
            }
        };
        if !self.eat_keyword("between") {
            self.pos = start;
            return Ok(None);
        }
        self.ws();
        let low = self.between_operand()?;
        self.ws();
        if !self.eat_keyword("and") {
            return Err(self.error("AND"));
        }
        self.ws();
        let high = self.between_operand()?;
        Ok(Some(Item::Between { not, low, high }))
    }

    /// `BetweenOperand`: arithmetic only, so the `AND` that follows is the
    /// bound's separator.
    fn between_operand(&mut self) -> Result<Expr, Cql2TextError> {
        self.enter()?;
        let mut items = Vec::new();
        self.negatives(&mut items);
        self.ws();
        items.push(Item::Atom(self.atomic()?));
        loop {
            let before = self.pos;
            self.ws();
            let Some(infix) = self.arith() else {
                self.pos = before;
                break;
            };
            let mark = items.len();
            items.push(Item::Infix { op: infix, not: false });
            self.negatives(&mut items);
            self.ws();
            match self.try_reading(Self::atomic)? {
                Some(a) => items.push(Item::Atom(a)),
                None => {
                    items.truncate(mark);
                    self.pos = before;
                    break;
                }
            }
        }
        self.depth -= 1;
        self.built(pratt(items)?)
    }

    /// `ArithInfixOp`.
    fn arith(&mut self) -> Option<Infix> {
        Some(if self.eat("+") {
            Infix::Add
        } else if self.eat("-") {
            Infix::Subtract
        } else if self.eat("*") {
            Infix::Multiply
        } else if self.eat("/") {
            Infix::Divide("/")
        } else if self.eat_keyword("div") {
            Infix::Divide("div")
        } else if self.eat("%") {
            Infix::Modulo
        } else if self.eat("^") {
            Infix::Power
        } else {
            return None;
        })
    }

    /// `ExprInfixOp`: arithmetic, comparison, `AND`, `OR`; with the `NOT`
    /// of `NOT LIKE` and `NOT IN`.
    fn infix(&mut self) -> Option<(Infix, bool)> {
        if let Some(a) = self.arith() {
            return Some((a, false));
        }
        for (lit, infix) in [
            ("<>", Infix::NotEq("<>")),
            ("!=", Infix::NotEq("!=")),
            (">=", Infix::GtEq),
            (">", Infix::Gt),
            ("<=", Infix::LtEq),
            ("<", Infix::Lt),
            ("=", Infix::Eq),
        ] {
            if self.eat(lit) {
                return Some((infix, false));
            }
        }
        for (kw, infix) in [("in", Infix::In), ("like", Infix::Like)] {
            let start = self.pos;
            let not = self.not_flag();
            if not {
                self.ws();
            }
            if self.eat_keyword(kw) {
                return Some((infix, not));
            }
            self.pos = start;
        }
        if self.eat_keyword("and") {
            return Some((Infix::And, false));
        }
        if self.eat_keyword("or") {
            return Some((Infix::Or, false));
        }
        None
    }

    /// `AtomicExpr`: a literal, a function call, a property, a group or an array.
    fn atomic(&mut self) -> Result<Expr, Cql2TextError> {
        if let Some(g) = self.geometry()? {
            return Ok(g);
        }
        if self.eat_word("true") {
            return Ok(Expr::Bool(true));
        }
        if self.eat_word("false") {
            return Ok(Expr::Bool(false));
        }
        if self.eat_word("null") {
            return Ok(Expr::Null);
        }
        if let Some(n) = self.number() {
            return Ok(n);
        }
        if self.peek() == Some('\'') {
            let text = self.quoted('\'')?;
            return Ok(Expr::Literal(text));
        }
        if let Some(name) = self.identifier()? {
            let after_name = self.pos;
            self.ws();
            if self.eat("(") {
                return self.function(name);
            }
            self.pos = after_name;
            return Ok(Expr::Property { property: name });
        }
        if self.eat("(") {
            return self.group_or_array();
        }
        Err(self.error("a value, a property, a function or `(`"))
    }

    /// `DECIMAL` or `Double`: an optionally signed integer, an optional
    /// fraction, an optional exponent.
    fn number(&mut self) -> Option<Expr> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > from
        };
        let integer = |p: &mut Self| {
            let from = p.pos;
            let _signed = p.eat("+") || p.eat("-");
            if digits(p) {
                true
            } else {
                p.pos = from;
                false
            }
        };
        if !integer(self) {
            return None;
        }
        if self.eat(".") {
            digits(self);
        }
        let mantissa_end = self.pos;
        if (self.eat("e") || self.eat("E")) && !integer(self) {
            self.pos = mantissa_end;
        }
        let text = &self.s[start..self.pos];
        text.parse::<f64>().ok().map(Expr::Float).or_else(|| {
            self.pos = start;
            None
        })
    }

    /// A quoted token (`'...'` or `"..."`), a doubled quote standing for one.
    fn quoted(&mut self, quote: char) -> Result<String, Cql2TextError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return Err(self.error("a closing quote"));
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    if self.peek() == Some(quote) {
                        self.pos += 1;
                        out.push(quote);
                    } else {
                        return Ok(out);
                    }
                }
                Some(c) => {
                    self.pos += c.len_utf8();
                    out.push(c);
                }
            }
        }
    }

    /// `Identifier`: a letter then name characters, or a double-quoted name.
    fn identifier(&mut self) -> Result<Option<String>, Cql2TextError> {
        match self.peek() {
            Some('"') => self.quoted('"').map(Some),
            Some(c) if c.is_alphabetic() => {
                let start = self.pos;
                self.pos += c.len_utf8();
                while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
                    self.pos += c.len_utf8();
                }
                Ok(Some(self.s[start..self.pos].to_string()))
            }
            _ => Ok(None),
        }
    }

    /// The arguments of a call to `name`, after its `(`.
    fn function(&mut self, name: String) -> Result<Expr, Cql2TextError> {
        self.enter()?;
        let mut args = Vec::new();
        self.ws();
        if !self.eat(")") {
            loop {
                self.ws();
                args.push(self.expr()?);
                self.ws();
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.error("`,` or `)`"));
                }
            }
        }
        self.depth -= 1;
        let lower = name.to_lowercase();
        if cql2::ARRAYOPS.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
            for a in &mut args {
                if matches!(a, Expr::Float(_) | Expr::Literal(_) | Expr::Bool(_)) {
                    *a = Expr::Array(vec![Box::new(a.clone())]);
                }
            }
        }
        let first = |args: Vec<Expr>, what: &str| {
            args.into_iter()
                .next()
                .map(Box::new)
                .ok_or_else(|| Cql2TextError::Syntax(0, format!("{what}() needs an argument")))
        };
        Ok(match lower.as_str() {
            "interval" => Expr::Interval {
                interval: args.into_iter().map(Box::new).collect(),
            },
            "date" => Expr::Date {
                date: first(args, "date")?,
            },
            "timestamp" => Expr::Timestamp {
                timestamp: first(args, "timestamp")?,
            },
            "bbox" => Expr::BBox {
                bbox: args.into_iter().map(Box::new).collect(),
            },
            "in" => {
                let mut args = args.into_iter();
                let value = args
                    .next()
                    .ok_or_else(|| Cql2TextError::Syntax(0, "in() needs an argument".into()))?;
                let list = match args.len() {
                    1 => match args.next().expect("one left") {
                        array @ Expr::Array(_) => array,
                        other => Expr::Array(vec![Box::new(other)]),
                    },
                    _ => Expr::Array(args.map(Box::new).collect()),
                };
                op(&name, vec![value, list])
            }
            _ => op(&name, args),
        })
    }

    /// After a `(`: a group `( expr )`, or an array from its first comma.
    fn group_or_array(&mut self) -> Result<Expr, Cql2TextError> {
        self.enter()?;
        self.ws();
        let first = self.expr()?;
        self.ws();
        let result = if self.eat(")") {
            first
        } else {
            let mut items = vec![Box::new(first)];
            while self.eat(",") {
                self.ws();
                items.push(Box::new(self.expr()?));
                self.ws();
            }
            if !self.eat(")") {
                return Err(self.error("`,` or `)`"));
            }
            Expr::Array(items)
        };
        self.depth -= 1;
        Ok(result)
    }

    /// A WKT geometry, as the grammar reads one: `None` when there is none
    /// here (the text may still be a function call such as `POINT(x)`).
    fn geometry(&mut self) -> Result<Option<Expr>, Cql2TextError> {
        let start = self.pos;
        if self.failed_geometry.contains(&start) || !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Ok(None);
        }
        let mut wkt = Wkt {
            dims: 2,
            empty_markers: Vec::new(),
            collections: 0,
        };
        let matched = self.g_single(&mut wkt) || self.g_collection(&mut wkt, 0);
        if !matched {
            self.pos = start;
            self.failed_geometry.insert(start);
            return Ok(None);
        }
        if wkt.collections > 1 {
            return Err(Cql2TextError::Syntax(
                start,
                "a geometry collection cannot hold another in CQL2".into(),
            ));
        }
        let mut text = self.s[start..self.pos].to_string();
        let marker = match wkt.dims {
            4 => " ZM",
            3 => " Z",
            _ => "",
        };
        if !marker.is_empty() {
            wkt.empty_markers.sort_unstable();
            for (lo, hi) in wkt.empty_markers.into_iter().rev() {
                text = format!("{}{marker}{}", &text[..lo - start], &text[hi - start..]);
            }
        }
        let wkt_text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Some(Expr::Geometry(Geometry::Wkt(wkt_text))))
    }

    /// Runs `f`, restoring the position when it fails.
    fn attempt(&mut self, wkt: &mut Wkt, f: impl FnOnce(&mut Self, &mut Wkt) -> bool) -> bool {
        let start = self.pos;
        let markers = wkt.empty_markers.len();
        let (dims, collections) = (wkt.dims, wkt.collections);
        if f(self, wkt) {
            return true;
        }
        self.pos = start;
        wkt.empty_markers.truncate(markers);
        wkt.dims = dims;
        wkt.collections = collections;
        false
    }

    /// `GEOMETRY_SINGLE`.
    fn g_single(&mut self, wkt: &mut Wkt) -> bool {
        self.attempt(wkt, |p, wkt| {
            p.ws();
            let ok = if p.eat_keyword("POINT") {
                p.zm(wkt) && (p.attempt(wkt, Self::pcoord) || p.empty_set())
            } else if p.eat_keyword("LINESTRING") {
                p.zm(wkt) && (p.attempt(wkt, Self::pcoordlist) || p.empty_set())
            } else if p.eat_keyword("POLYGON") {
                p.zm(wkt) && (p.attempt(wkt, |p, w| p.nested(w, 2)) || p.empty_set())
            } else if p.eat_keyword("MULTIPOINT") {
                p.zm(wkt)
                    && (p.attempt(wkt, Self::pcoordlist) || p.attempt(wkt, |p, w| p.nested(w, 2)) || p.empty_set())
            } else if p.eat_keyword("MULTILINESTRING") {
                p.zm(wkt) && (p.attempt(wkt, |p, w| p.nested(w, 2)) || p.empty_set())
            } else if p.eat_keyword("MULTIPOLYGON") {
                p.zm(wkt) && (p.attempt(wkt, |p, w| p.nested(w, 3)) || p.empty_set())
            } else {
                false
            };
            if ok {
                p.ws();
            }
            ok
        })
    }

    /// `GEOMETRY_COLLECTION`, members included.
    fn g_collection(&mut self, wkt: &mut Wkt, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        self.attempt(wkt, |p, wkt| {
            p.ws();
            if !p.eat_keyword("GEOMETRYCOLLECTION") || !p.zm(wkt) {
                return false;
            }
            wkt.collections += 1;
            let members = p.attempt(wkt, |p, wkt| {
                if !p.eat("(") || !p.member(wkt, depth) {
                    return false;
                }
                loop {
                    let before = p.pos;
                    if p.comma_delim() && p.member(wkt, depth) {
                        continue;
                    }
                    p.pos = before;
                    break;
                }
                p.eat(")")
            });
            if !(members || p.empty_set()) {
                return false;
            }
            p.ws();
            true
        })
    }

    fn member(&mut self, wkt: &mut Wkt, depth: usize) -> bool {
        self.g_single(wkt) || self.g_collection(wkt, depth + 1)
    }

    /// `ZM`: an optional dimension marker; an empty one is remembered, to be
    /// filled in when the coordinates say more than two dimensions.
    fn zm(&mut self, wkt: &mut Wkt) -> bool {
        let start = self.pos;
        self.ws();
        let marked = self.eat_keyword("ZM") || self.eat_keyword("Z") || self.eat_keyword("M");
        self.ws();
        if !marked {
            wkt.empty_markers.push((start, self.pos));
        }
        true
    }

    fn empty_set(&mut self) -> bool {
        self.eat_word("EMPTY")
    }

    fn comma_delim(&mut self) -> bool {
        let start = self.pos;
        self.ws();
        if self.eat(",") {
            self.ws();
            true
        } else {
            self.pos = start;
            false
        }
    }

    /// `COORD`: four, three or two numbers.
    fn coord(&mut self, wkt: &mut Wkt) -> bool {
        let mut ends = Vec::with_capacity(4);
        while ends.len() < 4 {
            let before = self.pos;
            self.ws();
            if self.wkt_decimal() {
                self.ws();
                ends.push(self.pos);
            } else {
                self.pos = before;
                break;
            }
        }
        if ends.len() < 2 {
            return false;
        }
        self.pos = *ends.last().expect("two at least");
        wkt.dims = wkt.dims.max(ends.len());
        true
    }

    /// `DECIMAL` inside WKT: no exponent.
    fn wkt_decimal(&mut self) -> bool {
        let start = self.pos;
        let _ = self.eat("+") || self.eat("-");
        let digits_from = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits_from {
            self.pos = start;
            return false;
        }
        if self.eat(".") {
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        true
    }

    /// `PCOORD`: `( x y )`.
    fn pcoord(&mut self, wkt: &mut Wkt) -> bool {
        self.ws();
        if !self.eat("(") || !self.coord(wkt) || !self.eat(")") {
            return false;
        }
        self.ws();
        true
    }

    /// `PCOORDLIST`: `( x y, x y … )`.
    fn pcoordlist(&mut self, wkt: &mut Wkt) -> bool {
        self.ws();
        if !self.eat("(") {
            return false;
        }
        self.ws();
        if !self.coord(wkt) {
            return false;
        }
        loop {
            let before = self.pos;
            if self.comma_delim() && self.coord(wkt) {
                continue;
            }
            self.pos = before;
            break;
        }
        self.ws();
        if !self.eat(")") {
            return false;
        }
        self.ws();
        true
    }

    /// `PCOORDLISTLIST` (`levels` 2) and `PCOORDLISTLISTLIST` (3).
    fn nested(&mut self, wkt: &mut Wkt, levels: usize) -> bool {
        let inner = |p: &mut Self, w: &mut Wkt| {
            if levels == 2 {
                p.attempt(w, Self::pcoordlist)
            } else {
                p.attempt(w, |p, w| p.nested(w, levels - 1))
            }
        };
        self.ws();
        if !self.eat("(") || !inner(self, wkt) {
            return false;
        }
        loop {
            let before = self.pos;
            if self.comma_delim() && inner(self, wkt) {
                continue;
            }
            self.pos = before;
            break;
        }
        if !self.eat(")") {
            return false;
        }
        self.ws();
        true
    }
}

/// How deep an expression tree is, counted without recursion (it may be
/// deeper than the stack allows, which is what this finds out).
fn tree_depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        if d > MAX_DEPTH {
            break;
        }
        let children: &[Box<Expr>] = match e {
            Expr::Operation { args, .. } => args,
            Expr::Interval { interval } => interval,
            Expr::BBox { bbox } => bbox,
            Expr::Array(items) => items,
            Expr::Timestamp { timestamp } => std::slice::from_ref(timestamp),
            Expr::Date { date } => std::slice::from_ref(date),
            _ => &[],
        };
        stack.extend(children.iter().map(|c| (c.as_ref(), d + 1)));
    }
    deepest
}

/// The `cql2` crate's normal form: operator names in their canonical
/// spelling, `and`/`or` chains flat, instants in one spelling.
fn normalize(e: Expr) -> Expr {
    match e {
        Expr::Operation { op, args } => {
            let op = canonical_op(&op);
            let args = args.into_iter().map(|a| Box::new(normalize(*a)));
            if op == "and" || op == "or" {
                let mut flat = Vec::new();
                for a in args {
                    match *a {
                        Expr::Operation {
                            op: nested,
                            args: inner,
                        } if nested == op => flat.extend(inner),
                        other => flat.push(Box::new(other)),
                    }
                }
                Expr::Operation { op, args: flat }
            } else {
                Expr::Operation {
                    op,
                    args: args.collect(),
                }
            }
        }
        Expr::Array(items) => Expr::Array(items.into_iter().map(|i| Box::new(normalize(*i))).collect()),
        // The grammar takes expressions as BBOX coordinates too.
        Expr::BBox { bbox } => Expr::BBox {
            bbox: bbox.into_iter().map(|i| Box::new(normalize(*i))).collect(),
        },
        Expr::Timestamp { timestamp } => Expr::Timestamp {
            timestamp: Box::new(normalize_instant(*timestamp)),
        },
        Expr::Interval { interval } => Expr::Interval {
            interval: interval.into_iter().map(|b| Box::new(normalize_instant(*b))).collect(),
        },
        other => other,
    }
}

fn normalize_instant(e: Expr) -> Expr {
    match e {
        Expr::Literal(v) => Expr::Literal(canonical_timestamp(&v)),
        other => normalize(other),
    }
}

/// Alternate spellings of the operators CQL2 defines.
const ALIASES: &[(&str, &str)] = &[
    ("!=", "<>"),
    ("st_equals", "s_equals"),
    ("st_intersects", "s_intersects"),
    ("st_disjoint", "s_disjoint"),
    ("st_touches", "s_touches"),
    ("st_within", "s_within"),
    ("st_overlaps", "s_overlaps"),
    ("st_crosses", "s_crosses"),
    ("st_contains", "s_contains"),
    ("intersects", "s_intersects"),
    ("anyinteracts", "t_intersects"),
];

const OTHER_OPS: &[&str] = &["not", "like", "between", "in", "isNull", "casei", "accenti"];

/// An operator name in its canonical spelling; other names (functions of
/// the author's) keep theirs.
fn canonical_op(name: &str) -> String {
    let aliased = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        .map_or(name, |(_, canonical)| canonical);
    [
        cql2::BOOLOPS,
        cql2::EQOPS,
        cql2::CMPOPS,
        cql2::SPATIALOPS,
        cql2::TEMPORALOPS,
        cql2::ARITHOPS,
        cql2::ARRAYOPS,
        OTHER_OPS,
    ]
    .into_iter()
    .flat_map(|ops| ops.iter().copied())
    .find(|c| c.eq_ignore_ascii_case(aliased))
    .map_or_else(|| aliased.to_string(), str::to_string)
}

/// One spelling per instant: a literal with a time is rewritten as jiff
/// writes the timestamp it names (dates, and leap seconds, are left alone).
fn canonical_timestamp(s: &str) -> String {
    let has_time = s.contains('T') || s.contains(' ');
    let leap = s.split(':').nth(2).is_some_and(|sec| {
        sec.strip_prefix("60")
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_digit()))
    });
    if !has_time || leap {
        return s.to_string();
    }
    let stripped = s.replace(' ', "T");
    let full = match stripped.len() {
        4 => format!("{stripped}-01-01T00:00:00Z"),
        7 => format!("{stripped}-01T00:00:00Z"),
        10 => format!("{stripped}T00:00:00Z"),
        13 => format!("{stripped}:00:00Z"),
        16 => format!("{stripped}:00Z"),
        19 => format!("{stripped}Z"),
        _ => stripped,
    };
    full.parse::<jiff::Timestamp>()
        .map_or_else(|_| s.to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let theirs = cql2::parse_text(text).unwrap_or_else(|e| panic!("{text}: cql2 refuses: {e}"));
        let ours = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{text}");
    }

    #[test]
    fn reads_as_the_cql2_crate_does() {
        for t in [
            "a = 1",
            "NOT a = 1 AND b < 2 OR c IS NOT NULL",
            "x BETWEEN 1 + 2 AND 3 * 4 AND y NOT IN ('a', 'b')",
            "-a * 2 ^ 3 - -1 = +4.5e2",
            "nom LIKE 'Mont%' and casei(nom) = casei('MONT''PELLIER')",
            "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 0)))",
            "s_within(geom, POINT(1 2 3))",
            "s_intersects(geom, MULTIPOINT((1 2), (3 4)))",
            "s_intersects(geom, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))",
            "t_intersects(d, INTERVAL('2020-01-01T00:00:00.000Z', '..'))",
            "d = TIMESTAMP('2020-01-01 10:00:00') AND e = DATE('2020-01-01')",
            "a_contains(tags, ('x', 'y')) AND a_equals(t, 1)",
            "\"eo:cloud cover\" <= 10 AND eo:bands IN (1)",
            "(((a = 1)))",
            "f(1, 'x', g()) = true",
            "bbox(1, 2, 3, 4) IS NULL",
            // Operators inside BBOX coordinates take their canonical spelling too
            // (the differential fuzzer found T_OVERLAPS left as written there).
            "S_INTERSECTS(g, BBOX(1, 2, 3, a = T_OVERLAPS(b, c)))",
            "BBOX(1, 2, -x, ST_INTERSECTS(a, b)) IS NULL",
            "x = 1 andy = 2",
        ] {
            same(t);
        }
    }

    #[test]
    fn too_deep_inside_an_argument_is_too_deep() {
        // Found by the differential fuzzer: nesting past the bound inside a
        // function's argument was swallowed by backtracking and reported as
        // a syntax error further on.
        let text = format!("f(a, g(b < {}c)) = 1", "-".repeat(400));
        assert!(
            matches!(parse(&text), Err(Cql2TextError::TooDeep)),
            "{:?}",
            parse(&text)
        );
        let found = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/regressions/cql2/too-deep-in-an-argument"
        ))
        .unwrap();
        assert!(
            matches!(parse(&found), Err(Cql2TextError::TooDeep)),
            "{:?}",
            parse(&found)
        );
        assert_eq!(differential(&found), Ok(()));
    }

    #[test]
    fn names_pest_calls_letters_and_unicode_does_not_are_not_compared() {
        // The fuzzer's fourth find (fuzz/regressions/cql2): U+0558 is
        // unassigned in Unicode 17, a letter in pest's tables.
        let t = "((\u{558}),(''))";
        assert!(parse(t).is_err() && cql2::parse_text(t).is_ok());
        assert_eq!(differential(t), Ok(()));
        assert!(!tables_disagree('a') && !tables_disagree('\u{E9}') && !tables_disagree('7'));
    }

    #[test]
    fn computed_bbox_coordinates_are_not_compared() {
        // The fuzzer's two finds: both parsers read these, spelled apart.
        for t in [
            "S_INTERSECTS(g, BBOX(-1/28.1, -1.1, 999-9.0, 180.0, 90.01 != 0))",
            "S_INTERSECTS(g, BBOX(1, 2, 3, a = T_OVERLAPS(b, c)))",
        ] {
            assert!(computed_bbox(&parse(t).unwrap()), "{t}");
            assert_eq!(differential(t), Ok(()), "{t}");
        }
        assert!(!computed_bbox(&parse("S_INTERSECTS(g, BBOX(-1, 2, 3.5, 4))").unwrap()));
    }

    #[test]
    fn nesting_costs_linear_time_and_is_bounded() {
        // At 60 levels a parser that re-reads each group would never end
        // (2^60 readings): this one reads it in one pass. The figures are in
        // FUZZING.md (`cargo run --release --example cql2-nested`).
        let deep = format!("{}a = 1{}", "(".repeat(60), ")".repeat(60));
        assert!(parse(&deep).is_ok());
        for too_deep in [
            format!("{}a = 1{}", "(".repeat(500), ")".repeat(500)),
            format!("a{}", " = a".repeat(1000)),
            format!("{}a", "NOT ".repeat(1000)),
            format!("{}1", "- ".repeat(1000)),
        ] {
            assert!(matches!(parse(&too_deep), Err(Cql2TextError::TooDeep)));
        }
        // Long, flat chains are fine: AND and OR chains are read in a loop.
        assert!(parse(&format!("a = 1{}", " AND a = 1".repeat(1000))).is_ok());
    }
}
