package dev.cutover.core.migrate;

/** Another session holding locks on a table until closed. */
interface TableHolder extends AutoCloseable {

    int pid();

    @Override
    void close();
}
