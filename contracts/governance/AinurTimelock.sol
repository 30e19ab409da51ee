// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title AinurTimelock
/// @notice OpenZeppelin's TimelockController under its own name, so it has its own artifact. It holds every
/// parameter role of the Ainur contracts; the Governor is its only proposer and canceller.
contract AinurTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
