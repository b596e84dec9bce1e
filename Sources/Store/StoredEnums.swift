import Deadlines
import Postgres
import Workflow

// The enums stored as text columns, decoded by their raw values (`PostgresTextEnum`).
extension RequestKind: PostgresTextEnum {}
extension RequestState: PostgresTextEnum {}
extension CalendarID: PostgresTextEnum {}
extension Outcome: PostgresTextEnum {}
extension ContactMethod: PostgresTextEnum {}
extension Role: PostgresTextEnum {}
