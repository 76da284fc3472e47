package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.internal.Token.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Fingerprints of normalised statements: comments and whitespace dropped, unquoted identifiers and
 * keywords lower-cased, everything else (quoted identifiers, literals) kept exactly; the first 16 hex
 * digits of the SHA-256 of the tokens joined by single spaces. Reformatting a statement keeps its
 * fingerprint; changing what it does (another column, another literal) changes it.
 */
public final class Fingerprints {
    private Fingerprints() {
    }

    public static String normalise(List<Token> code) {
        StringBuilder sb = new StringBuilder();
        for (Token t : code) {
            if (t.type == Type.COMMENT) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t.type == Type.IDENT ? t.text().toLowerCase(java.util.Locale.ROOT) : t.text());
        }
        return sb.toString();
    }

    public static String of(List<Token> code) {
        return hash(normalise(code));
    }

    public static String hash(String normalised) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(16);
            for (int i = 0; i < 8; i++) {
                sb.append(Character.forDigit((d[i] >> 4) & 0xF, 16)).append(Character.forDigit(d[i] & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
