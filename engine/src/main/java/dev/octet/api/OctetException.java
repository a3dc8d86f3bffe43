package dev.octet.api;

/** The one exception type Octet throws for a bad model or a bad input; the code says which kind. */
public class OctetException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public OctetException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public OctetException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
