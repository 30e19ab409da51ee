// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title ReentrantReceiver (test only)
/// @notice An ERC-721 receiver that calls back into `target` with `data` when it receives a token, and
/// bubbles up the callback's revert. Used to attack the registries' `_safeMint` paths.
contract ReentrantReceiver is IERC721Receiver {
    address private _target;
    bytes private _data;
    bool private _armed;

    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
        _armed = true;
    }

    /// @notice Calls any target (so this contract can act as an agent owner in tests).
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        if (_armed) {
            _armed = false;
            (bool ok, bytes memory ret) = _target.call(_data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        return IERC721Receiver.onERC721Received.selector;
    }
}
