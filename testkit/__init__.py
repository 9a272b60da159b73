"""The suite's test kit, over the real broker and database. One concern per module:

- `machine`: the local PostgreSQL and RabbitMQ the tests use, and the repository's own files;
- `world`: a throwaway database and virtual host per run, every service migrated into it;
- `waiting`: waiting for what happens asynchronously, and watching that nothing more does;
- `broker`: a tap on the events exchange, publishing as another service would, queue depths;
- `database`: reading a world's tables and the events a service left in its outbox;
- `in_process`: services started inside the test process, or one handler over the in-memory broker;
- `processes`: `aftercare` commands as processes of their own, on ports of their own;
- `accounts`: deployment-style roles and broker users, and their removal;
- `scratch`: a service of no business meaning, for testing the kernel alone;
- `samples`: ready-made events to feed the services.

It is no part of the product: the image and the wheel leave it out, and nothing under `shared/` or
`services/` (tests aside) imports it.
"""
