/**
 * Implementation: lexer, statement splitter, analyzer (parser and rules), approvals, report
 * formats and file discovery. Not a public API; it may change in any release.
 */
package dev.opskit.migrationguard.internal;
