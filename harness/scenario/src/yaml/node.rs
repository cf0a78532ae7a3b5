//! The YAML document as a tree that keeps, for every value, its source
//! position and its text exactly as written.
//!
//! Scalars stay text: `2019.1` is not turned into a float nor `on` into a
//! boolean; each key decides how to read its value. Anchors and aliases are
//! expanded, `<<` merge keys applied, comments and tags dropped.

use std::collections::HashMap;
use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Span, StructureStyle};

use super::syntax::{self, OpenFlow};

/// Most values a document may expand to through aliases ("billion laughs").
const MAX_NODES: usize = 100_000;

/// A line and a character column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Mark {
    pub(crate) line: u32,
    pub(crate) col: u32,
}

impl Mark {
    pub(crate) const START: Mark = Mark { line: 1, col: 1 };

    fn of(span: &Span) -> Mark {
        Mark {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }
}

/// A value with its position.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) mark: Mark,
    pub(crate) kind: Kind,
}

/// A scalar's text (escapes processed) and where its source text lies.
#[derive(Debug, Clone)]
pub(crate) struct Scalar {
    pub(crate) text: String,
    /// Byte range of the scalar in the source, to locate `{{name}}` inside it.
    pub(crate) raw: Option<Range<usize>>,
}

/// A mapping key: always text.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub(crate) text: String,
    pub(crate) mark: Mark,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Nothing (`key:` with no value, `~`, `null`).
    Null,
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// "a list", "a mapping", "nothing" or "the text `x`", for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            Kind::Null => "nothing".to_owned(),
            Kind::Scalar(s) => format!("`{}`", clip(&s.text)),
            Kind::Seq(_) => "a list".to_owned(),
            Kind::Map(_) => "a mapping (key: value lines)".to_owned(),
        }
    }

    fn size(&self) -> usize {
        match &self.kind {
            Kind::Null | Kind::Scalar(_) => 1,
            Kind::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Kind::Map(entries) => 1 + entries.iter().map(|(_, v)| 1 + v.size()).sum::<usize>(),
        }
    }
}

pub(crate) use crate::diagnostic::clip;

/// A problem found while reading the YAML itself.
#[derive(Debug, Clone)]
pub(crate) struct YamlError {
    pub(crate) mark: Mark,
    pub(crate) message: String,
}

/// The outcome of reading a file: its root value (`None` when the file is
/// empty or not valid YAML) and the problems found.
pub(crate) struct Parsed {
    pub(crate) root: Option<Node>,
    pub(crate) errors: Vec<YamlError>,
}

enum Frame {
    Seq {
        mark: Mark,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        mark: Mark,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        /// Mappings brought in with `<<`, applied at the end.
        merges: Vec<Node>,
        key: Option<Node>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    errors: Vec<YamlError>,
    nodes: usize,
    root: Option<Node>,
}

/// Reads `source` into a tree.
pub(crate) fn parse(source: &str) -> Parsed {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(source, options);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        errors: Vec::new(),
        nodes: 0,
        root: None,
    };
    let mut documents = 0usize;
    let mut flows: Vec<OpenFlow> = Vec::new();
    // For each open collection: whether it is written in flow style (`[..]`, `{..}`).
    let mut flow_styles: Vec<bool> = Vec::new();
    let mut last_end = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(error) => {
                return Parsed {
                    root: None,
                    errors: vec![syntax::explain(source, &error, &flows, last_end)],
                };
            }
        };
        if let Some(range) = span.byte_range() {
            last_end = last_end.max(range.end);
        }
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Parsed {
                        root: None,
                        errors: vec![YamlError {
                            mark: Mark::of(&span),
                            message: "a scenario file holds one YAML document: remove this `---` \
                                      line or split the file in two"
                                .to_owned(),
                        }],
                    };
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let mark = Mark::of(&span);
                // Only an unquoted empty value or `~`/`null` means "nothing";
                // `""` is an empty text.
                let kind = if style == ScalarStyle::Plain
                    && matches!(&*text, "" | "~" | "null" | "Null" | "NULL")
                {
                    Kind::Null
                } else {
                    Kind::Scalar(Scalar {
                        text: text.into_owned(),
                        raw: span.byte_range(),
                    })
                };
                b.complete(Node { mark, kind }, anchor);
            }
            Event::Alias(id) => {
                let mark = Mark::of(&span);
                match b.anchors.get(&id).cloned() {
                    Some(node) => {
                        b.nodes += node.size();
                        b.complete(node, 0);
                    }
                    None => {
                        b.errors.push(YamlError {
                            mark,
                            message: "this alias refers to the value that contains it; an alias \
                                      can only repeat a value that is complete"
                                .to_owned(),
                        });
                        b.complete(
                            Node {
                                mark,
                                kind: Kind::Null,
                            },
                            0,
                        );
                    }
                }
            }
            Event::SequenceStart(style, anchor, _) => {
                let flow = matches!(style, StructureStyle::Flow);
                if flow {
                    flows.push(OpenFlow {
                        open: '[',
                        mark: Mark::of(&span),
                    });
                }
                flow_styles.push(flow);
                b.stack.push(Frame::Seq {
                    mark: Mark::of(&span),
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(style, anchor, _) => {
                let flow = matches!(style, StructureStyle::Flow);
                if flow {
                    flows.push(OpenFlow {
                        open: '{',
                        mark: Mark::of(&span),
                    });
                }
                flow_styles.push(flow);
                b.stack.push(Frame::Map {
                    mark: Mark::of(&span),
                    anchor,
                    entries: Vec::new(),
                    merges: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if flow_styles.pop() == Some(true) {
                    flows.pop();
                }
                b.close();
            }
            _ => {}
        }
        if b.nodes > MAX_NODES {
            return Parsed {
                root: None,
                errors: vec![YamlError {
                    mark: Mark::of(&span),
                    message: format!(
                        "the file expands to more than {MAX_NODES} values through its aliases; \
                         write the repeated parts out or use fewer aliases"
                    ),
                }],
            };
        }
    }
    Parsed {
        root: b.root.filter(|root| !matches!(root.kind, Kind::Null)),
        errors: b.errors,
    }
}

impl Builder {
    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (node, anchor) = match frame {
            Frame::Seq {
                mark,
                anchor,
                items,
            } => (
                Node {
                    mark,
                    kind: Kind::Seq(items),
                },
                anchor,
            ),
            Frame::Map {
                mark,
                anchor,
                mut entries,
                merges,
                ..
            } => {
                // Keys written in the mapping win over merged ones; among merged
                // mappings the first one wins, as YAML's merge key specifies.
                for merged in merges {
                    let Kind::Map(more) = merged.kind else {
                        continue;
                    };
                    for (key, value) in more {
                        if !entries.iter().any(|(k, _)| k.text == key.text) {
                            entries.push((key, value));
                        }
                    }
                }
                (
                    Node {
                        mark,
                        kind: Kind::Map(entries),
                    },
                    anchor,
                )
            }
        };
        self.complete(node, anchor);
    }

    fn complete(&mut self, node: Node, anchor: usize) {
        self.nodes += 1;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { key, .. }) if key.is_none() => *key = Some(node),
            Some(Frame::Map {
                entries,
                merges,
                key,
                ..
            }) => {
                let Some(key_node) = key.take() else { return };
                let text = match key_node.kind {
                    Kind::Scalar(s) => s.text,
                    Kind::Null => {
                        self.errors.push(YamlError {
                            mark: key_node.mark,
                            message: "a key is missing before this `:`".to_owned(),
                        });
                        return;
                    }
                    Kind::Seq(_) | Kind::Map(_) => {
                        self.errors.push(YamlError {
                            mark: key_node.mark,
                            message: "a key must be a plain word, not a list or a mapping"
                                .to_owned(),
                        });
                        return;
                    }
                };
                if text == "<<" {
                    match node.kind {
                        Kind::Map(_) => merges.push(node),
                        Kind::Seq(items)
                            if items.iter().all(|i| matches!(i.kind, Kind::Map(_))) =>
                        {
                            merges.extend(items);
                        }
                        _ => self.errors.push(YamlError {
                            mark: node.mark,
                            message: "`<<` merges a mapping: write `<<: *name` where `&name` \
                                      marks a mapping"
                                .to_owned(),
                        }),
                    }
                    return;
                }
                if let Some((first, _)) = entries.iter().find(|(k, _)| k.text == text) {
                    self.errors.push(YamlError {
                        mark: key_node.mark,
                        message: format!(
                            "duplicate key `{}` (first written at line {}); a mapping holds each \
                             key once: remove or merge one of them",
                            clip(&text),
                            first.mark.line
                        ),
                    });
                    return;
                }
                entries.push((
                    Key {
                        text,
                        mark: key_node.mark,
                    },
                    node,
                ));
            }
        }
    }
}
