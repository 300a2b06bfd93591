//! The revision graph of a set of migrations.
//!
//! This crate knows revision ids and the edges between them, nothing of Python. Callers hand it one
//! [`RevisionNode`] per migration file, in any order; it answers with positions into that input, so the
//! caller can map every answer back to its own migration (and its file and line).
//!
//! Nothing here recurses: chains of hundreds of thousands of revisions are handled with explicit stacks.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;

/// One revision as the graph sees it: its id and the ids it points back to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionNode {
    /// The revision id (`revision = "..."`).
    pub id: String,
    /// Parents (`down_revision`): none for a base, several for a merge.
    pub parents: Vec<String>,
    /// Revisions this one depends on without descending from them (`depends_on`).
    pub depends_on: Vec<String>,
    /// Branch labels declared by this revision (`branch_labels`).
    pub branch_labels: Vec<String>,
    /// The group the revision belongs to when heads are counted per group (a Django app: each
    /// app must have one leaf); `None` for Alembic, where heads span an environment.
    pub group: Option<String>,
    /// Where the revision lives (its file's directory), telling Alembic environments apart:
    /// histories that never meet (no edge joins them) and share no location are separate
    /// environments (a plugin's migrations, another service's), each with a head of its own.
    /// Revisions without one share one environment.
    pub location: Option<String>,
}

/// Why one revision points at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// `down_revision`: the child descends from the parent.
    Parent,
    /// `depends_on`: the child needs the other revision applied first, but is not its descendant.
    DependsOn,
}

/// A reference to a revision id that no input declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingReference {
    /// Position in the input of the revision holding the reference.
    pub child: usize,
    /// The id it names.
    pub target: String,
    /// Which field named it.
    pub kind: EdgeKind,
}

/// Several inputs declaring the same revision id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateRevision {
    /// The id declared more than once.
    pub id: String,
    /// Positions in the input, in input order; the first one is the one the graph keeps.
    pub positions: Vec<usize>,
}

/// What heads are grouped by when looking for several on one line of history.
#[derive(PartialEq)]
enum HeadKey<'a> {
    /// A Django app.
    Group(&'a str),
    /// An Alembic head: its environment, and the branch labels in force at it.
    Alembic {
        environment: usize,
        labels: Vec<String>,
    },
}

/// The revision DAG (or, for broken input, the revision graph with its cycles).
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    /// Node weight: position in the input. Edges point from parent to child.
    graph: DiGraph<usize, EdgeKind, u32>,
    /// Input position -> node, `None` for a duplicate that lost to an earlier declaration.
    node_of: Vec<Option<NodeIndex>>,
    by_id: HashMap<String, NodeIndex>,
    missing: Vec<MissingReference>,
    duplicates: Vec<DuplicateRevision>,
    /// Branch labels declared by each input.
    labels: Vec<Vec<String>>,
    /// Group of each input.
    groups: Vec<Option<String>>,
    /// The environment of each input, named by one of its input positions.
    environments: Vec<usize>,
}

impl RevisionGraph {
    /// Builds the graph from revisions given in any order.
    #[must_use]
    pub fn build(revisions: &[RevisionNode]) -> Self {
        let mut declared = Declarations::of(revisions, None);
        // An id declared again in another place may be another environment's own (an initial
        // revision copied into a second environment): ids are then told apart by environment.
        if declared.duplicates.iter().any(|(&first, positions)| {
            positions
                .iter()
                .any(|&position| revisions[position].location != revisions[first].location)
        }) {
            declared = Declarations::of(revisions, Some(homes(revisions)));
        }
        let Declarations {
            mut graph,
            by_id,
            by_home,
            homes,
            node_of,
            duplicates: duplicate_positions,
        } = declared;

        let mut missing = Vec::new();
        for (position, revision) in revisions.iter().enumerate() {
            let Some(child) = node_of[position] else {
                continue;
            };
            let references = revision
                .parents
                .iter()
                .map(|id| (id, EdgeKind::Parent))
                .chain(
                    revision
                        .depends_on
                        .iter()
                        .map(|id| (id, EdgeKind::DependsOn)),
                );
            for (target, kind) in references {
                // The declaration in the child's own environment first, else the first one.
                let home = homes
                    .as_ref()
                    .and_then(|homes| by_home.get(&(homes[position], target.as_str())));
                match home.or_else(|| by_id.get(target.as_str())) {
                    Some(&parent) => {
                        graph.add_edge(parent, child, kind);
                    }
                    None => missing.push(MissingReference {
                        child: position,
                        target: target.clone(),
                        kind,
                    }),
                }
            }
        }

        let mut duplicates: Vec<DuplicateRevision> = duplicate_positions
            .into_values()
            .map(|positions| DuplicateRevision {
                id: revisions[positions[0]].id.clone(),
                positions,
            })
            .collect();
        duplicates.sort_by_key(|duplicate| duplicate.positions[0]);

        Self {
            node_of,
            by_id,
            missing,
            duplicates,
            labels: revisions.iter().map(|r| r.branch_labels.clone()).collect(),
            groups: revisions.iter().map(|r| r.group.clone()).collect(),
            environments: environments(&graph, revisions),
            graph,
        }
    }

    /// Number of distinct revisions in the graph.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of input positions (duplicates included).
    pub fn len_positions(&self) -> usize {
        self.node_of.len()
    }

    /// Whether the graph holds no revision.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Input position of the revision with this id (the first one, if it is duplicated).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).map(|&node| self.graph[node])
    }

    /// Number of parent edges that resolved to a known revision.
    pub fn parent_edge_count(&self) -> usize {
        self.graph
            .edge_references()
            .filter(|edge| *edge.weight() == EdgeKind::Parent)
            .count()
    }

    /// References (`down_revision`, `depends_on`) to ids no input declares, in input order.
    pub fn missing_references(&self) -> &[MissingReference] {
        &self.missing
    }

    /// Ids declared by more than one input.
    pub fn duplicates(&self) -> &[DuplicateRevision] {
        &self.duplicates
    }

    /// Revisions no other revision names as its parent (`depends_on` does not count), in input order.
    /// A grouped revision (a Django app's migration) is a head when no revision of its own group
    /// depends on it: each app has its leaf nodes.
    pub fn heads(&self) -> Vec<usize> {
        self.positions_where(|node| match &self.groups[self.graph[node]] {
            Some(group) => !self
                .graph
                .edges_directed(node, Direction::Outgoing)
                .any(|edge| self.groups[self.graph[edge.target()]].as_ref() == Some(group)),
            None => !self.has_edge(node, Direction::Outgoing, EdgeKind::Parent),
        })
    }

    /// Revisions with no parent (`down_revision = None`), in input order.
    ///
    /// A revision whose only parents are missing is not a base: it is reported as a missing
    /// reference instead.
    pub fn bases(&self) -> Vec<usize> {
        self.positions_where(|node| {
            !self.has_edge(node, Direction::Incoming, EdgeKind::Parent)
                && !self
                    .missing
                    .iter()
                    .any(|m| m.kind == EdgeKind::Parent && Some(node) == self.node_of[m.child])
        })
    }

    /// Every cycle, as the input positions of the revisions on it (each cycle sorted, cycles sorted
    /// by their first position). Both edge kinds count: a `depends_on` loop is as unresolvable as a
    /// `down_revision` loop.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let mut cycles: Vec<Vec<usize>> = kosaraju_scc(&self.graph)
            .into_iter()
            .filter(|component| {
                component.len() > 1 || self.graph.contains_edge(component[0], component[0])
            })
            .map(|component| {
                let mut positions: Vec<usize> =
                    component.into_iter().map(|node| self.graph[node]).collect();
                positions.sort_unstable();
                positions
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// Input positions in an order where every revision comes after its parents and dependencies,
    /// or `None` when the graph has a cycle. Ties are broken by input order, so the result is
    /// deterministic.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        // Kahn's algorithm with a min-heap over input positions.
        let mut indegree: Vec<usize> = self
            .graph
            .node_indices()
            .map(|node| self.graph.edges_directed(node, Direction::Incoming).count())
            .collect();
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>> = self
            .graph
            .node_indices()
            .filter(|node| indegree[node.index()] == 0)
            .map(|node| std::cmp::Reverse((self.graph[node], node.index())))
            .collect();
        let mut order = Vec::with_capacity(self.graph.node_count());
        while let Some(std::cmp::Reverse((position, index))) = ready.pop() {
            order.push(position);
            let node = NodeIndex::new(index);
            for child in self.graph.neighbors_directed(node, Direction::Outgoing) {
                let degree = &mut indegree[child.index()];
                *degree -= 1;
                if *degree == 0 {
                    ready.push(std::cmp::Reverse((self.graph[child], child.index())));
                }
            }
        }
        (order.len() == self.graph.node_count()).then_some(order)
    }

    /// Revisions with more than one child (`down_revision` of several revisions), in input order.
    pub fn branch_points(&self) -> Vec<usize> {
        self.positions_where(|node| self.count_edges(node, Direction::Outgoing) > 1)
    }

    /// Revisions with more than one known parent (merge revisions), in input order.
    pub fn merge_points(&self) -> Vec<usize> {
        self.positions_where(|node| self.count_edges(node, Direction::Incoming) > 1)
    }

    /// Input positions of the known parents of a revision, in the order its `down_revision` names
    /// them.
    pub fn parents(&self, position: usize) -> Vec<usize> {
        self.neighbours(position, Direction::Incoming)
    }

    /// Input positions of the revisions whose parent this is, in input order.
    pub fn children(&self, position: usize) -> Vec<usize> {
        self.neighbours(position, Direction::Outgoing)
    }

    /// The branch labels in force at a revision: its own and those of every ancestor (a label
    /// names a branch from the revision that declares it on). Sorted, without repeats.
    pub fn inherited_labels(&self, position: usize) -> Vec<String> {
        let mut labels: Vec<String> = std::iter::once(position)
            .chain(self.ancestors(position))
            .flat_map(|at| self.labels.get(at).into_iter().flatten().cloned())
            .collect();
        labels.sort_unstable();
        labels.dedup();
        labels
    }

    /// Heads that split one line of history: heads grouped by environment (see
    /// [`RevisionNode::location`]) and by the branch labels in force at them, keeping the groups
    /// with more than one head. Heads on distinct labelled branches (as in expand/contract
    /// layouts) are intentional and fall in distinct groups. A head cut off by a missing parent is
    /// left out: the missing parent is the fact to report.
    pub fn conflicting_heads(&self) -> Vec<Vec<usize>> {
        let orphans: Vec<usize> = self
            .missing
            .iter()
            .filter(|missing| missing.kind == EdgeKind::Parent)
            .map(|missing| missing.child)
            .collect();
        // Heads of a Django app are counted within the app; Alembic heads by environment and
        // branch labels.
        let mut groups: Vec<(HeadKey<'_>, Vec<usize>)> = Vec::new();
        for head in self.heads() {
            if !orphans.is_empty()
                && std::iter::once(head)
                    .chain(self.ancestors(head))
                    .any(|at| orphans.contains(&at))
            {
                continue;
            }
            let key = match &self.groups[head] {
                Some(group) => HeadKey::Group(group),
                None => HeadKey::Alembic {
                    environment: self.environments[head],
                    labels: self.inherited_labels(head),
                },
            };
            match groups.iter_mut().find(|(other, _)| *other == key) {
                Some((_, heads)) => heads.push(head),
                None => groups.push((key, vec![head])),
            }
        }
        groups
            .into_iter()
            .filter_map(|(_, heads)| (heads.len() > 1).then_some(heads))
            .collect()
    }

    /// Merge revisions over the same set of parents, grouped (each group in input order). Two such
    /// merges leave two heads again.
    pub fn redundant_merges(&self) -> Vec<Vec<usize>> {
        let mut by_parents: HashMap<Vec<usize>, Vec<usize>> = HashMap::new();
        for merge in self.merge_points() {
            let mut parents = self.parents(merge);
            parents.sort_unstable();
            by_parents.entry(parents).or_default().push(merge);
        }
        let mut groups: Vec<Vec<usize>> = by_parents
            .into_values()
            .filter(|merges| merges.len() > 1)
            .collect();
        groups.sort();
        groups
    }

    /// Input positions of every revision reachable by following parent edges backwards from
    /// `position` (the position itself excluded), in no particular order.
    pub fn ancestors(&self, position: usize) -> Vec<usize> {
        self.reachable(position, Direction::Incoming)
    }

    /// Input positions of every revision that descends from `position` (itself excluded).
    pub fn descendants(&self, position: usize) -> Vec<usize> {
        self.reachable(position, Direction::Outgoing)
    }

    fn reachable(&self, position: usize, direction: Direction) -> Vec<usize> {
        let Some(Some(start)) = self.node_of.get(position).copied() else {
            return Vec::new();
        };
        let mut seen = vec![false; self.graph.node_count()];
        seen[start.index()] = true;
        let mut stack = vec![start];
        let mut found = Vec::new();
        while let Some(node) = stack.pop() {
            for edge in self.graph.edges_directed(node, direction) {
                if *edge.weight() != EdgeKind::Parent {
                    continue;
                }
                let next = match direction {
                    Direction::Incoming => edge.source(),
                    Direction::Outgoing => edge.target(),
                };
                if !seen[next.index()] {
                    seen[next.index()] = true;
                    found.push(self.graph[next]);
                    stack.push(next);
                }
            }
        }
        found
    }

    fn count_edges(&self, node: NodeIndex, direction: Direction) -> usize {
        self.graph
            .edges_directed(node, direction)
            .filter(|edge| *edge.weight() == EdgeKind::Parent)
            .count()
    }

    fn neighbours(&self, position: usize, direction: Direction) -> Vec<usize> {
        let Some(Some(node)) = self.node_of.get(position).copied() else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize)> = self
            .graph
            .edges_directed(node, direction)
            .filter(|edge| *edge.weight() == EdgeKind::Parent)
            .map(|edge| {
                let other = match direction {
                    Direction::Incoming => edge.source(),
                    Direction::Outgoing => edge.target(),
                };
                (edge.id().index(), self.graph[other])
            })
            .collect();
        // Edges were added in `down_revision` order: their ids keep it.
        found.sort_unstable();
        let mut positions: Vec<usize> = found.into_iter().map(|(_, position)| position).collect();
        if direction == Direction::Outgoing {
            positions.sort_unstable();
        }
        positions
    }

    fn has_edge(&self, node: NodeIndex, direction: Direction, kind: EdgeKind) -> bool {
        self.graph
            .edges_directed(node, direction)
            .any(|edge| *edge.weight() == kind)
    }

    fn positions_where(&self, keep: impl Fn(NodeIndex) -> bool) -> Vec<usize> {
        let mut positions: Vec<usize> = self
            .graph
            .node_indices()
            .filter(|&node| keep(node))
            .map(|node| self.graph[node])
            .collect();
        positions.sort_unstable();
        positions
    }
}

/// The revisions' nodes: one per id, or, when ids are told apart by environment (`homes`), one
/// per id in each environment; the later declarations of an id are duplicates.
struct Declarations<'r> {
    graph: DiGraph<usize, EdgeKind>,
    /// The first declaration of each id.
    by_id: HashMap<String, NodeIndex>,
    /// The declaration of each id in each environment, when they are told apart.
    by_home: HashMap<(usize, &'r str), NodeIndex>,
    /// The environment of each input, when ids are told apart by it.
    homes: Option<Vec<usize>>,
    node_of: Vec<Option<NodeIndex>>,
    /// The positions declaring one id (in one environment) more than once, the first included,
    /// by the first one's position.
    duplicates: HashMap<usize, Vec<usize>>,
}

impl<'r> Declarations<'r> {
    fn of(revisions: &'r [RevisionNode], homes: Option<Vec<usize>>) -> Self {
        let mut graph = DiGraph::with_capacity(revisions.len(), revisions.len());
        let mut by_id: HashMap<String, NodeIndex> = HashMap::with_capacity(revisions.len());
        let mut by_home: HashMap<(usize, &str), NodeIndex> = HashMap::new();
        let mut node_of = Vec::with_capacity(revisions.len());
        let mut duplicates: HashMap<usize, Vec<usize>> = HashMap::new();
        for (position, revision) in revisions.iter().enumerate() {
            let id = revision.id.as_str();
            let first = match &homes {
                Some(homes) => by_home.get(&(homes[position], id)),
                None => by_id.get(id),
            };
            if let Some(&first) = first {
                duplicates
                    .entry(graph[first])
                    .or_insert_with(|| vec![graph[first]])
                    .push(position);
                node_of.push(None);
            } else {
                let node = graph.add_node(position);
                by_id.entry(revision.id.clone()).or_insert(node);
                if let Some(homes) = &homes {
                    by_home.insert((homes[position], id), node);
                }
                node_of.push(Some(node));
            }
        }
        Self {
            graph,
            by_id,
            by_home,
            homes,
            node_of,
            duplicates,
        }
    }
}

/// The place of each input: the position of the first input with its location (no location
/// counting as one).
fn places(revisions: &[RevisionNode]) -> Vec<usize> {
    let mut first_at: HashMap<Option<&str>, usize> = HashMap::new();
    revisions
        .iter()
        .enumerate()
        .map(|(position, revision)| {
            *first_at
                .entry(revision.location.as_deref())
                .or_insert(position)
        })
        .collect()
}

/// The environment of each input's place, for telling ids declared in several places apart:
/// places (locations) joined by a reference to an id declared in one place only. Named by a
/// place's first input position.
fn homes(revisions: &[RevisionNode]) -> Vec<usize> {
    let places = places(revisions);
    // `None`: declared in more than one place.
    let mut declared_in: HashMap<&str, Option<usize>> = HashMap::new();
    for (position, revision) in revisions.iter().enumerate() {
        declared_in
            .entry(revision.id.as_str())
            .and_modify(|place| {
                if *place != Some(places[position]) {
                    *place = None;
                }
            })
            .or_insert(Some(places[position]));
    }
    let mut sets = UnionFind::new(revisions.len());
    for (position, revision) in revisions.iter().enumerate() {
        for target in revision.parents.iter().chain(&revision.depends_on) {
            if let Some(Some(place)) = declared_in.get(target.as_str()) {
                sets.union(places[position], *place);
            }
        }
    }
    places.into_iter().map(|place| sets.find(place)).collect()
}

/// The environment of each input, named by one of its input positions: inputs joined by an edge
/// of either kind, or sharing a location (no location counting as one), are in one environment.
fn environments(graph: &DiGraph<usize, EdgeKind>, revisions: &[RevisionNode]) -> Vec<usize> {
    let mut sets = UnionFind::new(revisions.len());
    for edge in graph.edge_references() {
        sets.union(graph[edge.source()], graph[edge.target()]);
    }
    for (position, place) in places(revisions).into_iter().enumerate() {
        sets.union(place, position);
    }
    (0..revisions.len())
        .map(|position| sets.find(position))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, parents: &[&str]) -> RevisionNode {
        RevisionNode {
            id: id.to_owned(),
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            ..RevisionNode::default()
        }
    }

    #[test]
    fn linear_chain_has_one_head_and_one_base() {
        let graph = RevisionGraph::build(&[rev("b", &["a"]), rev("a", &[]), rev("c", &["b"])]);
        assert_eq!(graph.heads(), vec![2]);
        assert_eq!(graph.bases(), vec![1]);
        assert_eq!(graph.topological_order(), Some(vec![1, 0, 2]));
        assert!(graph.cycles().is_empty());
        assert_eq!(graph.parent_edge_count(), 2);
    }

    #[test]
    fn branch_then_merge_has_one_head() {
        let graph = RevisionGraph::build(&[
            rev("a", &[]),
            rev("b", &["a"]),
            rev("c", &["a"]),
            rev("m", &["b", "c"]),
        ]);
        assert_eq!(graph.heads(), vec![3]);
        let mut ancestors = graph.ancestors(3);
        ancestors.sort_unstable();
        assert_eq!(ancestors, vec![0, 1, 2]);
    }

    #[test]
    fn depends_on_does_not_join_heads() {
        let mut other = rev("x", &[]);
        other.depends_on = vec!["b".to_owned()];
        let graph = RevisionGraph::build(&[rev("a", &[]), rev("b", &["a"]), other]);
        assert_eq!(graph.heads(), vec![1, 2]);
        assert_eq!(graph.bases(), vec![0, 2]);
        assert_eq!(graph.topological_order(), Some(vec![0, 1, 2]));
    }

    #[test]
    fn missing_parent_and_duplicate_are_reported() {
        let graph = RevisionGraph::build(&[rev("a", &["gone"]), rev("a", &[]), rev("b", &["a"])]);
        assert_eq!(
            graph.missing_references(),
            &[MissingReference {
                child: 0,
                target: "gone".to_owned(),
                kind: EdgeKind::Parent
            }]
        );
        assert_eq!(graph.duplicates()[0].positions, vec![0, 1]);
        assert!(graph.bases().is_empty());
    }

    #[test]
    fn cycle_lists_every_revision_on_it() {
        let graph = RevisionGraph::build(&[
            rev("a", &["c"]),
            rev("b", &["a"]),
            rev("c", &["b"]),
            rev("d", &["c"]),
        ]);
        assert_eq!(graph.cycles(), vec![vec![0, 1, 2]]);
        assert_eq!(graph.topological_order(), None);
    }

    #[test]
    fn labelled_branches_are_intentional_heads() {
        let mut expand = rev("e1", &["base"]);
        expand.branch_labels = vec!["expand".to_owned()];
        let mut contract = rev("c1", &["base"]);
        contract.branch_labels = vec!["contract".to_owned()];
        let graph = RevisionGraph::build(&[
            rev("base", &[]),
            expand,
            contract,
            rev("e2", &["e1"]),
            rev("e2b", &["e1"]),
        ]);
        assert_eq!(graph.heads(), vec![2, 3, 4]);
        assert_eq!(graph.inherited_labels(3), vec!["expand".to_owned()]);
        assert_eq!(graph.conflicting_heads(), vec![vec![3, 4]]);
        assert_eq!(graph.branch_points(), vec![0, 1]);
    }

    #[test]
    fn histories_that_never_meet_in_different_places_are_environments_of_their_own() {
        let at = |id: &str, parents: &[&str], location: &str| RevisionNode {
            location: Some(location.to_owned()),
            ..rev(id, parents)
        };
        let app = "app/migrations/versions";
        let plugin = "app/plugins/shop/migrations";
        // One head each in two environments: nothing conflicts.
        let separate = RevisionGraph::build(&[
            at("a1", &[], app),
            at("a2", &["a1"], app),
            at("p1", &[], plugin),
            at("p2", &["p1"], plugin),
        ]);
        assert_eq!(separate.heads(), vec![1, 3]);
        assert!(separate.conflicting_heads().is_empty());
        // A fork in the plugin's environment conflicts there, and only there.
        let forked = RevisionGraph::build(&[
            at("a1", &[], app),
            at("p1", &[], plugin),
            at("p2", &["p1"], plugin),
            at("p2b", &["p1"], plugin),
        ]);
        assert_eq!(forked.conflicting_heads(), vec![vec![2, 3]]);
        // Two bases in one place are one environment with two heads.
        let one_place = RevisionGraph::build(&[at("a1", &[], app), at("b1", &[], app)]);
        assert_eq!(one_place.conflicting_heads(), vec![vec![0, 1]]);
        // A dependency across places joins them: the environment that runs one runs the other.
        let mut dependent = at("p1", &[], plugin);
        dependent.depends_on = vec!["a1".to_owned()];
        let joined = RevisionGraph::build(&[at("a1", &[], app), dependent]);
        assert_eq!(joined.conflicting_heads(), vec![vec![0, 1]]);
        // Without locations, every history is in the one environment, as before.
        let unplaced = RevisionGraph::build(&[rev("a1", &[]), rev("b1", &[])]);
        assert_eq!(unplaced.conflicting_heads(), vec![vec![0, 1]]);
    }

    #[test]
    fn an_initial_revision_copied_into_another_environment_is_that_environments_own() {
        let at = |id: &str, parents: &[&str], location: &str| RevisionNode {
            location: Some(location.to_owned()),
            ..rev(id, parents)
        };
        let (core, tenant) = ("revisions/core", "revisions/tenant");
        let graph = RevisionGraph::build(&[
            at("f011", &[], core),
            at("c1", &["f011"], core),
            at("f011", &[], tenant),
            at("t1", &["f011"], tenant),
            at("t2", &["t1"], tenant),
        ]);
        assert!(graph.duplicates().is_empty());
        assert_eq!(graph.parents(3), vec![2]);
        assert_eq!(graph.parents(1), vec![0]);
        assert_eq!(graph.heads(), vec![1, 4]);
        assert!(graph.conflicting_heads().is_empty());
        // Declared twice in one place, or in two places one history joins, it is a duplicate.
        let joined = RevisionGraph::build(&[
            at("a", &[], core),
            at("b", &["a"], core),
            at("a", &[], tenant),
            at("c", &["b"], tenant),
        ]);
        assert_eq!(joined.duplicates()[0].positions, vec![0, 2]);
        let one_place = RevisionGraph::build(&[at("a", &[], core), at("a", &[], core)]);
        assert_eq!(one_place.duplicates()[0].positions, vec![0, 1]);
    }

    #[test]
    fn redundant_merges_share_parents() {
        let graph = RevisionGraph::build(&[
            rev("a", &[]),
            rev("b", &["a"]),
            rev("c", &["a"]),
            rev("m1", &["b", "c"]),
            rev("m2", &["c", "b"]),
        ]);
        assert_eq!(graph.merge_points(), vec![3, 4]);
        assert_eq!(graph.parents(4), vec![2, 1]);
        assert_eq!(graph.redundant_merges(), vec![vec![3, 4]]);
        assert_eq!(graph.conflicting_heads(), vec![vec![3, 4]]);
    }

    #[test]
    fn grouped_revisions_have_one_leaf_per_group() {
        let grouped = |id: &str, parents: &[&str], group: &str| RevisionNode {
            group: Some(group.to_owned()),
            ..rev(id, parents)
        };
        let graph = RevisionGraph::build(&[
            grouped("auth.0001", &[], "auth"),
            grouped("shop.0001", &["auth.0001"], "shop"),
            grouped("shop.0002", &["shop.0001"], "shop"),
            grouped("shop.0002b", &["shop.0001"], "shop"),
            grouped("blog.0001", &["auth.0001"], "blog"),
        ]);
        // auth.0001 has children, but in other apps: it is still auth's one leaf.
        assert_eq!(graph.conflicting_heads(), vec![vec![2, 3]]);
    }

    #[test]
    fn long_chain_needs_no_recursion() {
        let revisions: Vec<RevisionNode> = (0..100_000)
            .map(|i| {
                let parents = if i == 0 {
                    vec![]
                } else {
                    vec![format!("r{}", i - 1)]
                };
                RevisionNode {
                    id: format!("r{i}"),
                    parents,
                    ..RevisionNode::default()
                }
            })
            .collect();
        let graph = RevisionGraph::build(&revisions);
        assert_eq!(graph.heads(), vec![99_999]);
        assert!(graph.cycles().is_empty());
        assert_eq!(graph.ancestors(99_999).len(), 99_999);
    }
}
