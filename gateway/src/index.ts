/** The site gateway as others outside it use it (the CLI, benchmarks): the service and its embedded broker. */
export { Gateway, type GatewayDeps } from './gateway';
export { EmbeddedBroker, type BrokerOptions, type BrokerUser } from './broker/broker';
