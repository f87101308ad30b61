/// Moves a value out of a stored property, leaving `empty` (an empty collection: no
/// allocation) in its place.
///
/// The parsers' state lives in final classes, whose properties Swift checks for overlapping
/// access at run time unless the optimizer proves that no access to a property can ever span a
/// call that might touch it again. An in-place `append` or `insert` on a property calls into the
/// standard library (growth, hashing) while the property is held, which defeats the proof for
/// every access to that property in the module. Taken out with this, the collection is mutated
/// as a uniquely referenced local (no copy) and stored back with a plain assignment, so the
/// property's accesses stay provably disjoint and cost nothing at run time.
@inline(__always)
func take<Value>(_ property: inout Value, leaving empty: Value) -> Value {
    var value = empty
    swap(&property, &value)
    return value
}
