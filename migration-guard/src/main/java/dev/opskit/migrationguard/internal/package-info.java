/**
 * Implementation: lexer, statement splitter, analyzer (parser and rules), approvals, report
 * formats and file discovery. Not a public API; it may change in any release.
 */
@NullMarked
package dev.opskit.migrationguard.internal;

import org.jspecify.annotations.NullMarked;
