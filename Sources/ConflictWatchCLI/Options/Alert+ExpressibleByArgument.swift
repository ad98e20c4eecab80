import ArgumentParser
import ConflictWatchCore

extension Alert.Kind: ExpressibleByArgument {}
extension Alert.Severity: ExpressibleByArgument {}
