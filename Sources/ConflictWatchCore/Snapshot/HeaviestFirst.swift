/// The heaviest items of a large set in a stable order, without sorting the whole set: the model
/// snapshot keeps 8,192 of possibly 200,000 resources and is written with every commit of the
/// daemon, where sorting them all was 4 % of the accounting thread.
enum HeaviestFirst {
    /// The first `keep` elements of `items` stably sorted by descending `key` — the same
    /// elements in the same order (ties in their order in `items`) — found with one selection
    /// and a sort of only those kept.
    static func prefix(of items: [Int], keep: Int, key: (Int) -> Double) -> [Int] {
        guard keep > 0 else { return [] }
        let keys = items.map(key)
        guard items.count > keep else { return order(Array(items.indices), items: items, keys: keys) }
        var scratch = keys
        let threshold = largest(keep, in: &scratch)
        var ties = keep - keys.reduce(0) { $1 > threshold ? $0 + 1 : $0 }
        var kept: [Int] = []
        kept.reserveCapacity(keep)
        for (i, k) in keys.enumerated() {
            if k > threshold {
                kept.append(i)
            } else if k == threshold, ties > 0 {
                kept.append(i)
                ties -= 1
            }
        }
        return order(kept, items: items, keys: keys)
    }

    /// Positions sorted by descending key, ties by position: what a stable sort gives.
    private static func order(_ positions: [Int], items: [Int], keys: [Double]) -> [Int] {
        positions.sorted { a, b in keys[a] != keys[b] ? keys[a] > keys[b] : a < b }.map { items[$0] }
    }

    /// The `n`-th largest value (1-based) of `values`, which it reorders (quickselect).
    static func largest(_ n: Int, in values: inout [Double]) -> Double {
        precondition(n >= 1 && n <= values.count)
        let target = n - 1
        var low = 0
        var high = values.count - 1
        while low < high {
            // Median of three as the pivot, so sorted input stays linear.
            let mid = low + (high - low) / 2
            let pivot = [values[low], values[mid], values[high]].sorted()[1]
            var i = low
            var j = high
            while i <= j {
                while values[i] > pivot { i += 1 }
                while values[j] < pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j {
                high = j
            } else if target >= i {
                low = i
            } else {
                return values[target]
            }
        }
        return values[target]
    }
}
