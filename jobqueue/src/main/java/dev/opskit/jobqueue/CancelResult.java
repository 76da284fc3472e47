package dev.opskit.jobqueue;

import java.util.Locale;

/** What {@link JobQueue#requestCancel(long)} did. */
public enum CancelResult {
    /** The job was waiting (due or scheduled); it is now {@link JobState#CANCELLED} and will not run. */
    CANCELLED,
    /**
     * The job is running; its worker was asked to stop it. The worker learns of it at its next
     * lease extension (within a third of the lease, 10 s by default), interrupts the handler and
     * {@link JobContext#cancelled()} turns true; the job then ends {@link JobState#CANCELLED}
     * whatever the handler does, and never runs again. Only a handler that returned successfully
     * before its worker learned of the cancel leaves the job {@link JobState#COMPLETED}: its work
     * was done. Asking again while it runs answers this again.
     */
    CANCEL_REQUESTED,
    /** The job already finished (completed, cancelled or dead); nothing changed. */
    ALREADY_FINISHED,
    /** No job has that id (never enqueued, or finished and pruned after the retention). */
    NOT_FOUND;

    /** True for {@link #CANCELLED} and {@link #CANCEL_REQUESTED}: the cancel was accepted. */
    public boolean accepted() {
        return this == CANCELLED || this == CANCEL_REQUESTED;
    }

    /** The lower-case name, as the command line prints it ({@code cancel_requested}). */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
